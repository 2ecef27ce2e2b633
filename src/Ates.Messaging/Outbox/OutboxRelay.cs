using System.Diagnostics;
using Ates.Messaging.Envelope;
using Ates.Messaging.Transports;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Ates.Messaging.Outbox;

/// <summary>
/// Publishes committed outbox rows in sequence order. A row is marked published only after the
/// transport confirmed it, so a crash at any point leads to a re-publish (which inboxes skip),
/// never to a loss. Only the holder of the relay lease publishes. On a transport whose subscribers
/// read the outbox themselves (the embedded bus) the holder opens the outbox to it instead, and
/// wakes the subscribers when rows were committed.
/// </summary>
public sealed class OutboxRelay<TDb>(
    IServiceScopeFactory scopes,
    IEventTransport transport,
    OutboxFeed<TDb> feed,
    OutboxSignal signal,
    MessagingOptions options,
    TimeProvider time,
    ILogger<OutboxRelay<TDb>> log) : BackgroundService
    where TDb : DbContext
{
    readonly string _instance = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";
    DateTime _nextCleanup;
    IOpenFeed? _open;
    DateTime _renewedAt;

    protected override async Task ExecuteAsync(CancellationToken stop)
    {
        if (!options.RelayEnabled) return;
        while (!stop.IsCancellationRequested)
        {
            var more = false;
            try
            {
                more = await RunOnceAsync(stop);
                LastRoundAt = time.GetUtcNow();
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                log.LogWarning(e, "Outbox relay of {Service} failed; it will try again", options.Service);
            }

            if (!more) await WaitForRowsAsync(stop).ContinueWith(_ => { }, TaskScheduler.Default);
        }

        try
        {
            await CloseFeedAsync();
        }
        catch (Exception e)
        {
            log.LogDebug(e, "Marking what the subscribers committed before the stop failed; it is delivered again after the restart");
        }

        // A clean stop hands the lease on at once; after a crash the next instance waits for it to expire.
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            await RelayLock.ReleaseAsync(scope.ServiceProvider.GetRequiredService<TDb>(), _instance, time.GetUtcNow().UtcDateTime, CancellationToken.None);
        }
        catch (Exception e)
        {
            log.LogDebug(e, "Releasing the relay lease failed; it expires by itself");
        }
    }

    /// <summary>
    /// Until a commit signals new rows or the poll interval passes. Publishing to a broker, a commit's wake-up waits a
    /// moment for the next commits (<see cref="MessagingOptions.DeliveryLinger"/>) so that they go out in one batch;
    /// in-process, the subscribers wait for themselves.
    /// </summary>
    async Task WaitForRowsAsync(CancellationToken stop)
    {
        if (await signal.WaitAsync(options.RelayPollInterval, stop) && transport is not IOutboxReadingTransport && options.DeliveryLinger > TimeSpan.Zero)
            await Task.Delay(options.DeliveryLinger, stop);
    }

    /// <summary>When the relay last finished a round without failing (whether or not it holds the lease); readiness reads it.</summary>
    public DateTimeOffset? LastRoundAt { get; private set; }

    /// <summary>Publishes one batch (embedded: wakes the subscribers) if this instance holds the lease. True when more rows may be waiting.</summary>
    public async Task<bool> RunOnceAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        // Waking the subscribers takes no write to the lease on every commit: a renewal each third of the lease keeps it.
        if (_open is not null && now < _renewedAt + options.RelayLeaseDuration / 3)
        {
            await _open.NewRowsAsync(ct);
            return false;
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TDb>();
        if (!await RelayLock.TryHoldAsync(db, _instance, now, options.RelayLeaseDuration, ct))
        {
            await CloseFeedAsync();
            return false;
        }

        if (transport is IOutboxReadingTransport reading)
        {
            _renewedAt = now;
            _open ??= reading.Open(feed);
            await _open.NewRowsAsync(ct);
            await CleanupAsync(db, now, ct);
            return false;
        }

        var rows = await db.Set<OutboxMessage>()
            .Where(m => m.PublishedAt == null && (m.NextAttemptAt == null || m.NextAttemptAt <= now))
            .OrderBy(m => m.Sequence)
            .Take(options.RelayBatchSize)
            .AsNoTracking()
            .ToListAsync(ct);

        if (rows.Count == 0)
        {
            await CleanupAsync(db, now, ct);
            return false;
        }

        var source = EventEnvelope.SourceOf(options.Service);
        using var relay = MessagingActivities.StartBatch($"relay {options.Service}", ActivityKind.Producer, options.Service, rows.Select(r => r.TraceParent), rows.Count);
        try
        {
            await transport.PublishAsync(rows.Select(r => r.ToEnvelope(source) with { DeliveryAttempt = r.Attempts + 1 }).ToList(), ct);
            await MarkPublishedAsync(db, rows.Select(r => r.Sequence).ToList(), ct);
            MessagingMetrics.RecordPublished(options.Service, rows.Count);
            return rows.Count == options.RelayBatchSize;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            log.LogWarning(e, "Publishing a batch of {Count} events failed; publishing them one by one", rows.Count);
        }

        // One by one, so that one row the transport refuses does not hold back the rows behind it.
        var published = 0;
        foreach (var row in rows)
        {
            try
            {
                await transport.PublishAsync([row.ToEnvelope(source) with { DeliveryAttempt = row.Attempts + 1 }], ct);
                await MarkPublishedAsync(db, [row.Sequence], ct);
                MessagingMetrics.RecordPublished(options.Service, 1);
                published++;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                var attempts = row.Attempts + 1;
                var backoff = TimeSpan.FromMilliseconds(Math.Min(options.RelayMaxBackoff.TotalMilliseconds, 100 * Math.Pow(2, attempts)));
                await db.Set<OutboxMessage>().Where(m => m.Sequence == row.Sequence).ExecuteUpdateAsync(s => s
                    .SetProperty(m => m.Attempts, attempts)
                    .SetProperty(m => m.NextAttemptAt, time.GetUtcNow().UtcDateTime + backoff)
                    .SetProperty(m => m.LastError, Truncate(e.Message)), ct);
            }
        }
        return published > 0;
    }

    /// <summary>Another instance holds the lease, or this one stops: its subscribers stop reading through this instance.</summary>
    async Task CloseFeedAsync()
    {
        if (_open is null) return;
        var open = _open;
        _open = null;
        await open.DisposeAsync();
    }

    async Task MarkPublishedAsync(TDb db, List<long> sequences, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        // The transport has the events now: this update must happen even if the host is stopping.
        await db.Set<OutboxMessage>().Where(m => sequences.Contains(m.Sequence))
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.PublishedAt, now).SetProperty(m => m.LastError, (string?)null), CancellationToken.None);
    }

    async Task CleanupAsync(TDb db, DateTime now, CancellationToken ct)
    {
        if (now < _nextCleanup) return;
        _nextCleanup = now.AddMinutes(10);
        var before = now - options.EventLogRetention;
        await db.Set<OutboxMessage>().Where(m => m.PublishedAt != null && m.PublishedAt < before).ExecuteDeleteAsync(ct);
    }

    static string Truncate(string text) => text.Length <= 1000 ? text : text[..1000];
}
