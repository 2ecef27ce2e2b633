using Ates.Contracts;
using Ates.Messaging.Envelope;
using Ates.Messaging.Transports;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ates.Messaging.Outbox;

/// <summary>The service's outbox as the subscribers of an in-process transport read it (<see cref="IOutboxFeed"/>).</summary>
public sealed class OutboxFeed<TDb>(
    IServiceScopeFactory scopes,
    MessagingOptions options,
    EventRegistry registry,
    TimeProvider time,
    ILogger<OutboxFeed<TDb>> log) : IOutboxFeed
    where TDb : DbContext
{
    readonly string _source = EventEnvelope.SourceOf(options.Service);

    public string Producer => options.Service;

    public IReadOnlySet<string> Types { get; } = registry.All.Where(d => d.Producer == options.Service).Select(d => d.Type).ToHashSet();

    public int BatchSize => options.RelayBatchSize;

    public TimeSpan GapTimeout => options.SequenceGapTimeout;

    public TimeProvider Time => time;

    public TimeSpan MarkInterval => options.PublishedMarkInterval;

    public TimeSpan Linger => options.DeliveryLinger;

    public Task<long?> StartAsync(CancellationToken ct) => QueryAsync(async outbox =>
    {
        // The last row first: a row committed after it is unpublished, so the second query sees it.
        var last = await outbox.MaxAsync(m => (long?)m.Sequence, ct);
        return await outbox.Where(m => m.PublishedAt == null).MinAsync(m => (long?)m.Sequence, ct) - 1 ?? last;
    });

    public Task<IReadOnlyList<EventEnvelope>> ReadAsync(long after, IReadOnlyCollection<long> also, int max, CancellationToken ct) => QueryAsync(async outbox =>
    {
        var rows = await (also.Count == 0 ? outbox.Where(m => m.Sequence > after) : outbox.Where(m => m.Sequence > after || also.Contains(m.Sequence)))
            .OrderBy(m => m.Sequence).Take(max).ToListAsync(ct);
        return (IReadOnlyList<EventEnvelope>)rows.Select(r => r.ToEnvelope(_source) with { DeliveryAttempt = r.Attempts + 1 }).ToList();
    });

    public Task DeferAsync(long sequence, int attempts, DateTime nextAttemptAt, string reason, CancellationToken ct) => QueryAsync(outbox =>
        outbox.Where(m => m.Sequence == sequence).ExecuteUpdateAsync(s => s
            .SetProperty(m => m.Attempts, attempts)
            .SetProperty(m => m.NextAttemptAt, nextAttemptAt)
            .SetProperty(m => m.LastError, reason), ct));

    public Task MarkPublishedAsync(long through, IReadOnlyCollection<long> except, CancellationToken ct) => QueryAsync(outbox =>
    {
        var now = time.GetUtcNow().UtcDateTime;
        return outbox.Where(m => m.PublishedAt == null && m.Sequence <= through && !except.Contains(m.Sequence))
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.PublishedAt, now).SetProperty(m => m.LastError, (string?)null), ct);
    });

    public void DeliveryFailed(string subscriber, Exception e) =>
        log.LogWarning(e, "Delivering {Producer}'s events to {Subscriber} failed; it will try again", options.Service, subscriber);

    public void MarkingFailed(Exception e) =>
        log.LogWarning(e, "Marking {Producer}'s delivered events published failed; it will try again", options.Service);

    async Task<T> QueryAsync<T>(Func<IQueryable<OutboxMessage>, Task<T>> query)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<TDb>().Set<OutboxMessage>().AsNoTracking());
    }
}
