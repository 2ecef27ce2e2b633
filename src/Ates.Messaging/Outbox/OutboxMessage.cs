using Ates.Messaging.Envelope;

namespace Ates.Messaging.Outbox;

/// <summary>
/// An event written in the same transaction as the change that caused it. Kept after
/// publishing as the producer's event log; <see cref="Sequence"/> is the log position.
/// </summary>
public sealed class OutboxMessage
{
    public long Sequence { get; set; }
    public Guid EventId { get; set; }
    public required string Type { get; set; }
    public int Version { get; set; }
    public required string DataSchema { get; set; }
    public required string PartitionKey { get; set; }
    public string? TraceParent { get; set; }
    public required string Data { get; set; }
    public DateTime OccurredAt { get; set; }

    /// <summary>Set once the transport confirmed the event; null while it waits for the relay.</summary>
    public DateTime? PublishedAt { get; set; }
    public int Attempts { get; set; }
    public DateTime? NextAttemptAt { get; set; }
    public string? LastError { get; set; }

    /// <summary>The event as every transport carries it, from <paramref name="source"/> (a relay's publish, a replay).</summary>
    public EventEnvelope ToEnvelope(string source) => new(
        EventId, source, Type, Version, new DateTimeOffset(DateTime.SpecifyKind(OccurredAt, DateTimeKind.Utc)),
        DataSchema, Sequence, PartitionKey, TraceParent, Data);
}

/// <summary>A lease (<see cref="Leases"/>): which relay instance may publish now, which instance consumes a partition, which instances consume at all.</summary>
public sealed class RelayLease
{
    public required string Name { get; set; }
    public required string Holder { get; set; }
    public DateTime ExpiresAt { get; set; }
}
