namespace Ates.Messaging;

/// <summary>How one service publishes and consumes. Defaults suit production; tests shorten the delays.</summary>
public sealed class MessagingOptions
{
    /// <summary>The service's name: the producer name in the registry and the name of its consumer queue.</summary>
    public string Service { get; set; } = "";

    /// <summary>False for an instance that only consumes; its outbox rows wait for another instance's relay.</summary>
    public bool RelayEnabled { get; set; } = true;

    /// <summary>Rows the relay hands to the transport at once.</summary>
    public int RelayBatchSize { get; set; } = 200;

    /// <summary>How often the relay looks for rows when nothing woke it.</summary>
    public TimeSpan RelayPollInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How long a relay's lock lasts without renewal; another instance takes over after it.</summary>
    public TimeSpan RelayLeaseDuration { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Backoff of a row the transport refused: doubles per attempt up to this.</summary>
    public TimeSpan RelayMaxBackoff { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// In-process delivery: how long a subscriber waits for a sequence missing from the outbox (a transaction still open,
    /// or rolled back) before it takes it for rolled back. Meanwhile the rows after it are delivered but not marked
    /// published. Only a database whose transactions may commit out of sequence order (PostgreSQL) leaves such holes.
    /// </summary>
    public TimeSpan SequenceGapTimeout { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// In-process delivery: the least time between two writes of the mark that the subscribers are done with a row
    /// (each is a write to the producer's database). A crash before the mark only delivers again what the inboxes skip.
    /// </summary>
    public TimeSpan PublishedMarkInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// How long a loop that was waiting lets work gather once the first of it arrives: an in-process subscriber and the
    /// relay to a broker after a commit wakes them, a broker consumer after a delivery short of a full batch. The next
    /// commits then come in the same batch (one read, one transaction, one publish) rather than one by one: while the
    /// consumers keep up, each batch is otherwise one request's events, and its fixed costs were most of the CPU. It
    /// adds this much to each hop of an event's way, and nothing once a loop is behind (docs/benchmarks.md).
    /// </summary>
    public TimeSpan DeliveryLinger { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Published events are kept this long as the producer's event log, for replay.</summary>
    public TimeSpan EventLogRetention { get; set; } = TimeSpan.FromDays(90);

    /// <summary>Handler attempts before an event is dead-lettered.</summary>
    public int MaxAttempts { get; set; } = 5;

    /// <summary>Delay before attempt n+1 (the last value repeats).</summary>
    public TimeSpan[] RetryDelays { get; set; } = [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30)];

    /// <summary>
    /// Whether the consumer saves after each handler of a batch, so a handler's queries see what the ones before it
    /// wrote. Off by default: one save a batch, so change detection does not grow with the square of the batch. Every
    /// handler of aTES sees the earlier ones' changes through the change tracker (<c>FindAsync</c>), and one whose
    /// query must see them saves first itself (Tasks' reassignment of a leaver's tasks).
    /// </summary>
    public bool SaveAfterEachHandler { get; set; }

    /// <summary>Unacknowledged messages a RabbitMQ consumer holds at once.</summary>
    public ushort Prefetch { get; set; } = 64;

    public TimeSpan RetryDelay(int attempt) => RetryDelays[Math.Clamp(attempt - 1, 0, RetryDelays.Length - 1)];
}
