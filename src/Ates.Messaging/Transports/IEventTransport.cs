using Ates.Messaging.Envelope;

namespace Ates.Messaging.Transports;

/// <summary>Carries a producer's events to the consuming services.</summary>
public interface IEventTransport
{
    /// <summary>
    /// Hands the events to every subscribed consumer, in order. Returns only when the transport
    /// has taken responsibility for all of them (broker confirms); throws otherwise, and the relay tries again.
    /// A transport whose subscribers read the outbox themselves (<see cref="IOutboxReadingTransport"/>) is not published to.
    /// </summary>
    Task PublishAsync(IReadOnlyList<EventEnvelope> events, CancellationToken ct);

    /// <summary>Sends events to one consumer only: replay of the producer's log. Throws <see cref="UnknownConsumerException"/> for a consumer the transport does not know.</summary>
    Task SendToConsumerAsync(string consumer, IReadOnlyList<EventEnvelope> events, CancellationToken ct);
}

/// <summary>
/// A transport whose subscribers read the producer's outbox themselves, each from its own position and at its own pace
/// (the embedded bus). The relay, while it holds the lease, opens the outbox to it instead of publishing.
/// </summary>
public interface IOutboxReadingTransport
{
    /// <summary>Lets the subscribers read <paramref name="feed"/> until the returned handle is disposed.</summary>
    IOpenFeed Open(IOutboxFeed feed);
}

/// <summary>A producer's outbox open to a transport's subscribers.</summary>
public interface IOpenFeed : IAsyncDisposable
{
    /// <summary>Rows may have been committed: the subscribers look. Rows no subscriber takes are marked published.</summary>
    Task NewRowsAsync(CancellationToken ct);
}

/// <summary>
/// A producer's outbox as the subscribers of an in-process transport read it. A row is marked published once every
/// subscriber that takes its type has committed it (handled, skipped as a duplicate or dead-lettered).
/// </summary>
public interface IOutboxFeed
{
    string Producer { get; }

    /// <summary>The event types the producer writes: a subscriber that takes none of them does not read this outbox.</summary>
    IReadOnlySet<string> Types { get; }

    int BatchSize { get; }

    /// <summary>How long a subscriber waits for a sequence missing from the outbox before it takes it for rolled back.</summary>
    TimeSpan GapTimeout { get; }

    TimeProvider Time { get; }

    /// <summary>How long a waiting subscriber lets commits gather once woken (<see cref="MessagingOptions.DeliveryLinger"/>).</summary>
    TimeSpan Linger { get; }

    /// <summary>The least time between two writes of the published mark.</summary>
    TimeSpan MarkInterval { get; }

    /// <summary>Where delivery starts: before the lowest unpublished row, else after the last row; null for an empty outbox.</summary>
    Task<long?> StartAsync(CancellationToken ct);

    /// <summary>Up to <paramref name="max"/> rows after <paramref name="after"/> or among <paramref name="also"/>, in sequence order.</summary>
    Task<IReadOnlyList<EventEnvelope>> ReadAsync(long after, IReadOnlyCollection<long> also, int max, CancellationToken ct);

    /// <summary>Notes on the row that a subscriber wants it again at <paramref name="nextAttemptAt"/>: the ops view, and the attempt count after a restart.</summary>
    Task DeferAsync(long sequence, int attempts, DateTime nextAttemptAt, string reason, CancellationToken ct);

    /// <summary>Marks published every unpublished row up to <paramref name="through"/> but those in <paramref name="except"/>.</summary>
    Task MarkPublishedAsync(long through, IReadOnlyCollection<long> except, CancellationToken ct);

    void DeliveryFailed(string subscriber, Exception e);

    void MarkingFailed(Exception e);
}

/// <summary>Starts this service's consumer on a transport; it stops with the host.</summary>
public interface IConsumerTransport
{
    Task StartConsumingAsync(ConsumerRegistration consumer, CancellationToken ct);
    Task StopConsumingAsync(CancellationToken ct);

    /// <summary>Whether deliveries can reach the consumer now (started, and on a broker: its channel open).</summary>
    bool Consuming { get; }
}

/// <summary>
/// A consuming service: its name, the event types it subscribes to, how a batch of deliveries is
/// handled (an outcome per delivery, in order), and the delay before a failed one's next attempt.
/// </summary>
public sealed record ConsumerRegistration(
    string Service,
    IReadOnlyCollection<string> EventTypes,
    Func<IReadOnlyList<Delivery>, CancellationToken, Task<ConsumeOutcome[]>> ConsumeAsync,
    Func<int, TimeSpan> RetryDelay)
{
    /// <summary>Parks a message the transport itself gave up on as a dead letter with the reason (body, reason).</summary>
    public Func<ReadOnlyMemory<byte>, string, CancellationToken, Task>? ParkAsync { get; init; }
}

/// <summary>One message as the transport hands it over, with how many times it has been tried (1 the first time).</summary>
public readonly record struct Delivery(ReadOnlyMemory<byte> Body, int Attempt, string? Publisher = null);

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
/// An in-process consumer given a replayed event could not handle it yet and wants it again after <see cref="RetryAfter"/>:
/// the replay stops there.
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
