using Ates.Messaging.Ops;
using static Ates.Messaging.DeadLetters.DeadLetterEndpoints;

namespace Ates.Analytics.Ops;

/// <summary>One service's ops API as the console sees it: another service over HTTP (with the admin's token), or Analytics itself.</summary>
public interface IOpsService
{
    string Name { get; }
    Task<ServiceStatus> StatusAsync(CancellationToken ct);
    Task<IReadOnlyList<DeadLetterView>> DeadLettersAsync(CancellationToken ct);
    Task<Backlog> BacklogAsync(long after, IReadOnlyList<string> types, CancellationToken ct);
    /// <summary>The outcome in words ("handled", "already handled", "failed again…").</summary>
    Task<string> RetryAsync(Guid id, CancellationToken ct);
    Task DiscardAsync(Guid id, CancellationToken ct);
    Task<long> ReplayAsync(string consumer, long from, CancellationToken ct);
}

/// <summary>Why an ops call to a service did not succeed, in words for the page.</summary>
public sealed class OpsCallException(string message) : Exception(message);
