using Ates.Analytics.Data;
using Ates.Messaging;
using Ates.Messaging.DeadLetters;
using Ates.Messaging.Ops;
using Ates.Messaging.Transports;
using static Ates.Messaging.DeadLetters.DeadLetterEndpoints;

namespace Ates.Analytics.Ops;

/// <summary>Analytics' own messaging tables, read in process.</summary>
public sealed class LocalOpsService(IServiceProvider services) : IOpsService
{
    public string Name => Rebuild.Rebuilder.Consumer;

    public Task<ServiceStatus> StatusAsync(CancellationToken ct) => services.GetRequiredService<OpsStatusReader<AnalyticsDb>>().ReadAsync(ct);

    public async Task<IReadOnlyList<DeadLetterView>> DeadLettersAsync(CancellationToken ct) =>
        (await services.GetRequiredService<DeadLetterStore<AnalyticsDb>>().ListAsync(ct)).Select(View).ToList();

    public Task<Backlog> BacklogAsync(long after, IReadOnlyList<string> types, CancellationToken ct) =>
        services.GetRequiredService<OpsStatusReader<AnalyticsDb>>().BacklogAsync(after, types, ct);

    public async Task<string> RetryAsync(Guid id, CancellationToken ct) =>
        await services.GetRequiredService<DeadLetterStore<AnalyticsDb>>().RetryAsync(id, ct) is { } outcome
            ? Describe(outcome)
            : throw NoSuchLetter(id);

    public async Task DiscardAsync(Guid id, CancellationToken ct)
    {
        if (!await services.GetRequiredService<DeadLetterStore<AnalyticsDb>>().DiscardAsync(id, ct)) throw NoSuchLetter(id);
    }

    public async Task<long> ReplayAsync(string consumer, long from, CancellationToken ct)
    {
        try
        {
            return await services.GetRequiredService<EventLog<AnalyticsDb>>().ReplayAsync(consumer, from, null, ct);
        }
        catch (UnknownConsumerException e)
        {
            throw new OpsCallException(e.Message);
        }
    }

    static OpsCallException NoSuchLetter(Guid id) => new($"There is no dead letter {id}; it may have been retried or discarded.");
}
