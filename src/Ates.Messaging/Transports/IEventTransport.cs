using Ates.Messaging.Envelope;

namespace Ates.Messaging.Transports;

/// <summary>Carries a producer's events to the consuming services.</summary>
public interface IEventTransport
{
    /// <summary>
    /// Hands the events to every subscribed consumer, in order. Returns only when the transport
    /// has taken responsibility for all of them (broker confirms, or every embedded subscriber committed);
    /// throws otherwise, and the relay tries again.
    /// </summary>
    Task PublishAsync(IReadOnlyList<EventEnvelope> events, CancellationToken ct);

    /// <summary>Sends events to one consumer only: replay of the producer's log. Throws <see cref="UnknownConsumerException"/> for a consumer the transport does not know.</summary>
    Task SendToConsumerAsync(string consumer, IReadOnlyList<EventEnvelope> events, CancellationToken ct);
}

/// <summary>Starts this service's consumer on a transport; it stops with the host.</summary>
public interface IConsumerTransport
{
    Task StartConsumingAsync(ConsumerRegistration consumer, CancellationToken ct);
    Task StopConsumingAsync(CancellationToken ct);
}

/// <summary>
/// A consuming service: its name, the event types it subscribes to, how a batch of deliveries is
/// handled (an outcome per delivery, in order), and the delay before a failed one's next attempt.
/// </summary>
public sealed record ConsumerRegistration(
    string Service,
    IReadOnlyCollection<string> EventTypes,
    Func<IReadOnlyList<Delivery>, CancellationToken, Task<ConsumeOutcome[]>> ConsumeAsync,
    Func<int, TimeSpan> RetryDelay);

/// <summary>One message as the transport hands it over, with how many times it has been tried (1 the first time).</summary>
public readonly record struct Delivery(ReadOnlyMemory<byte> Body, int Attempt);

/// <summary>What became of one delivery attempt.</summary>
public enum ConsumeOutcome
{
    /// <summary>Handled and committed.</summary>
    Handled,
    /// <summary>Seen before (by id): skipped.</summary>
    Duplicate,
    /// <summary>Stored as a dead letter with its reason; the transport moves on.</summary>
    DeadLettered,
    /// <summary>The handler failed; deliver it again after a delay.</summary>
    RetryLater,
}

/// <summary>
/// A subscriber could not handle the event yet and wants it again after <see cref="RetryAfter"/>.
/// The relay keeps the row unpublished until then; the rows behind it go on.
/// </summary>
public sealed class DeliveryDeferredException(Guid eventId, TimeSpan retryAfter)
    : Exception($"Event {eventId} is to be delivered again in {retryAfter.TotalMilliseconds:F0} ms.")
{
    public Guid EventId { get; } = eventId;
    public TimeSpan RetryAfter { get; } = retryAfter;
}

/// <summary>A replay named a consumer that has no queue (RabbitMQ) or was never declared (embedded).</summary>
public sealed class UnknownConsumerException(string consumer, Exception? inner = null)
    : InvalidOperationException($"No consumer named {consumer} is declared: it has never been started against this transport.", inner)
{
    public string Consumer { get; } = consumer;
}
