using Ates.Contracts;
using Ates.Messaging.DeadLetters;
using Ates.Messaging.Envelope;
using Ates.Messaging.Inbox;
using Ates.Messaging.Outbox;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Ates.Messaging.Ops;

/// <summary>This service's own event log: how far it goes and what still waits for the relay.</summary>
public sealed record LogStatus(long LastSequence, long Unpublished, DateTime? OldestUnpublishedAt)
{
    /// <summary>
    /// How far back the log reaches: its oldest retained event (0 and null when it is empty). A consumer rebuilt from
    /// the log gets nothing older; published events are dropped after <see cref="Retention"/>.
    /// </summary>
    public long FirstSequence { get; init; }

    public DateTime? FirstAt { get; init; }
    public TimeSpan Retention { get; init; }
}

/// <summary>
/// How far this service has got in one producer's log: <paramref name="Position"/> is the highest sequence it is done
/// with (handled, or parked as a dead letter); the producer's events of <paramref name="Types"/> after it are its lag.
/// </summary>
public sealed record ConsumerPosition(string Producer, IReadOnlyList<string> Types, long Position, long Handled, DateTime? LastHandledAt);

/// <summary>What an operator asks a service: its log, its place in every log it consumes, its dead letters.</summary>
public sealed record ServiceStatus(string Service, LogStatus Log, IReadOnlyList<ConsumerPosition> Consuming, int DeadLetters)
{
    /// <summary>The service's readiness checks as <c>/health/ready</c> answers them; null where it has none.</summary>
    public Readiness? Ready { get; init; }

    /// <summary>What the service itself says an operator must look at (<see cref="IOpsWarnings"/>).</summary>
    public IReadOnlyList<OpsWarning> Warnings { get; init; } = [];
}

/// <summary>Something an operator must look at, and the dead letters it concerns (their discard then says so).</summary>
public sealed record OpsWarning(string Text, IReadOnlyList<Guid> DeadLetters);

/// <summary>A service's own warnings for its ops status (Accounting: a billing day waiting for its events).</summary>
public interface IOpsWarnings
{
    Task<IReadOnlyList<OpsWarning>> WarningsAsync(CancellationToken ct);
}

/// <summary>"healthy" or "unhealthy", and what fails ("broker: …").</summary>
public sealed record Readiness(string Status, IReadOnlyList<string> Failing);

/// <summary>The producer's events of some types after a consumer's position: the consumer's lag.</summary>
public sealed record Backlog(string Producer, long After, long Behind, DateTime? OldestBehindAt, long LastSequence);

/// <summary>Reads the ops figures from the service's own messaging tables.</summary>
public sealed class OpsStatusReader<TDb>(TDb db, HandlerMap handlers, EventRegistry registry, MessagingOptions options,
    IEnumerable<IOpsWarnings> warnings, HealthCheckService? health = null)
    where TDb : DbContext
{
    public async Task<ServiceStatus> ReadAsync(CancellationToken ct)
    {
        var outbox = db.Set<OutboxMessage>().AsNoTracking();
        var (unpublished, oldest) = await UnpublishedAsync(db, ct);
        var log = new LogStatus(await outbox.MaxAsync(m => (long?)m.Sequence, ct) ?? 0, unpublished, oldest)
        {
            Retention = options.EventLogRetention,
        };
        if (await outbox.OrderBy(m => m.Sequence).Select(m => new { m.Sequence, m.OccurredAt }).FirstOrDefaultAsync(ct) is { } first)
            log = log with { FirstSequence = first.Sequence, FirstAt = first.OccurredAt };

        var handled = await db.Set<InboxMessage>().AsNoTracking()
            .GroupBy(m => m.Source)
            .Select(g => new { Source = g.Key, Position = g.Max(m => m.Sequence), Count = g.LongCount(), LastAt = g.Max(m => m.HandledAt) })
            .ToDictionaryAsync(g => g.Source, ct);
        var letters = await db.Set<DeadLetter>().AsNoTracking().Select(d => new { d.Source, d.Body }).ToListAsync(ct);

        var consuming = new List<ConsumerPosition>();
        foreach (var byProducer in handlers.EventTypes.GroupBy(registry.ProducerOf).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var source = EventEnvelope.SourceOf(byProducer.Key);
            var done = handled.GetValueOrDefault(source);
            // A parked event is dealt with until someone retries it: the position passes it.
            var parked = letters.Where(l => l.Source == source).Select(l => DeadLetter.SequenceIn(l.Body)).DefaultIfEmpty(0).Max();
            consuming.Add(new ConsumerPosition(byProducer.Key, byProducer.Order(StringComparer.Ordinal).ToList(),
                Math.Max(done?.Position ?? 0, parked), done?.Count ?? 0, done?.LastAt));
        }
        var said = new List<OpsWarning>();
        foreach (var source in warnings) said.AddRange(await source.WarningsAsync(ct));
        return new ServiceStatus(options.Service, log, consuming, letters.Count) { Ready = await ReadinessAsync(ct), Warnings = said };
    }

    /// <summary>What waits for the relay: how many events, and when the oldest of them happened (null when none waits).</summary>
    public static async Task<(long Count, DateTime? OldestAt)> UnpublishedAsync(TDb db, CancellationToken ct)
    {
        var waiting = db.Set<OutboxMessage>().AsNoTracking().Where(m => m.PublishedAt == null);
        return (await waiting.LongCountAsync(ct), await waiting.OrderBy(m => m.Sequence).Select(m => (DateTime?)m.OccurredAt).FirstOrDefaultAsync(ct));
    }

    async Task<Readiness?> ReadinessAsync(CancellationToken ct)
    {
        if (health is null) return null;
        var report = await health.CheckHealthAsync(c => c.Tags.Contains(MessagingHealthCheck.ReadyTag), ct);
        return new Readiness(report.Status.ToString().ToLowerInvariant(),
            report.Entries.Where(e => e.Value.Status != HealthStatus.Healthy)
                .Select(e => $"{e.Key}: {e.Value.Description ?? e.Value.Exception?.Message ?? e.Value.Status.ToString()}").ToList());
    }

    public async Task<Backlog> BacklogAsync(long after, IReadOnlyCollection<string> types, CancellationToken ct)
    {
        var behind = db.Set<OutboxMessage>().AsNoTracking().Where(m => m.Sequence > after && types.Contains(m.Type));
        return new Backlog(options.Service, after,
            await behind.LongCountAsync(ct),
            await behind.OrderBy(m => m.Sequence).Select(m => (DateTime?)m.OccurredAt).FirstOrDefaultAsync(ct),
            await db.Set<OutboxMessage>().MaxAsync(m => (long?)m.Sequence, ct) ?? 0);
    }
}
