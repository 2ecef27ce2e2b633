using Ates.Contracts;
using Ates.Messaging.DeadLetters;
using Ates.Messaging.Envelope;
using Ates.Messaging.Inbox;
using Ates.Messaging.Outbox;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Ates.Messaging.Ops;

/// <summary>
/// Reads the messaging figures that live in the database for <see cref="MessagingMetrics"/> every
/// <see cref="Interval"/>: the outbox's depth and oldest wait, the last sequence of each type the service produces,
/// its position in each log it consumes (per type, so that a query can set it beside the producer's last sequence of
/// that type), its dead letters. Each is one indexed read; none grows with the history. Nothing is read while no meter
/// provider listens.
/// </summary>
public sealed class MessagingSampler<TDb>(IServiceScopeFactory scopes, EventRegistry registry, HandlerMap handlers, MessagingOptions options,
    TimeProvider time, ILogger<MessagingSampler<TDb>> log) : BackgroundService
    where TDb : DbContext
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        do
        {
            try
            {
                if (MessagingMetrics.Observed) MessagingMetrics.Record(options.Service, await SampleAsync(stoppingToken));
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // The database may be down for a while; the figures stay as last read, and the next round tries again.
                log.LogDebug(e, "{Service}: reading the messaging metrics failed", options.Service);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    public async Task<MessagingMetrics.Sample> SampleAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TDb>();
        var outbox = db.Set<OutboxMessage>().AsNoTracking();
        var (unpublished, oldest) = await OpsStatusReader<TDb>.UnpublishedAsync(db, ct);
        var age = oldest is { } at ? Math.Max(0, (time.GetUtcNow().UtcDateTime - at).TotalSeconds) : 0;

        var last = new Dictionary<string, long>();
        foreach (var type in registry.All.Where(d => d.Producer == options.Service).Select(d => d.Type).Distinct())
            last[type] = await outbox.Where(m => m.Type == type).MaxAsync(m => (long?)m.Sequence, ct) ?? 0;

        var inbox = db.Set<InboxMessage>().AsNoTracking();
        var positions = new Dictionary<(string, string), long>();
        foreach (var byProducer in handlers.EventTypes.GroupBy(registry.ProducerOf))
        {
            var source = EventEnvelope.SourceOf(byProducer.Key);
            var position = await inbox.Where(m => m.Source == source).MaxAsync(m => (long?)m.Sequence, ct) ?? 0;
            foreach (var type in byProducer) positions[(byProducer.Key, type)] = position;
        }
        var letters = await db.Set<DeadLetter>().LongCountAsync(ct);
        return new MessagingMetrics.Sample(unpublished, age, last, positions, letters);
    }
}
