using Ates.Analytics.Data;
using Ates.Analytics.Ops;
using Ates.Messaging.Envelope;
using Ates.Messaging.Inbox;
using Microsoft.EntityFrameworkCore;

namespace Ates.Analytics.Rebuild;

/// <summary>
/// How far back one producer's event log reaches (<see cref="FirstSequence"/> to <see cref="LastSequence"/>, the
/// oldest event at <see cref="FirstAt"/>), against the oldest of its events Analytics' current facts were built from
/// (<see cref="HandledFrom"/>). A rebuild gets back only what the log still holds. <see cref="Error"/> says why the
/// producer could not be asked.
/// </summary>
public sealed record ProducerLog(string Producer, long FirstSequence, long LastSequence, DateTime? FirstAt, TimeSpan Retention,
    long? HandledFrom, string? Error)
{
    /// <summary>Events Analytics holds facts of that the log no longer has: a rebuild would lose them.</summary>
    public long? Lost => Error is not null || HandledFrom is not { } from ? null
        : FirstSequence == 0 ? LastSequence - from + 1
        : from < FirstSequence ? FirstSequence - from
        : null;
}

/// <summary>Asks every producer for its log's reach (its ops status, with the admin's token) and compares it with Analytics' inbox.</summary>
public sealed class LogReachReader(OpsConsole console, AnalyticsDb db)
{
    public async Task<IReadOnlyList<ProducerLog>> ReadAsync(string? accessToken, CancellationToken ct)
    {
        var handledFrom = await db.Set<InboxMessage>().AsNoTracking()
            .GroupBy(m => m.Source)
            .Select(g => new { Source = g.Key, From = g.Min(m => m.Sequence) })
            .ToDictionaryAsync(g => g.Source, g => g.From, ct);
        var producers = console.Services(accessToken).Values.Where(s => s.Name != Rebuilder.Consumer);
        return await Task.WhenAll(producers.Select(async producer =>
        {
            long? from = handledFrom.TryGetValue(EventEnvelope.SourceOf(producer.Name), out var f) ? f : null;
            try
            {
                var log = (await producer.StatusAsync(ct)).Log;
                return new ProducerLog(producer.Name, log.FirstSequence, log.LastSequence, log.FirstAt, log.Retention, from, null);
            }
            catch (OpsCallException e)
            {
                return new ProducerLog(producer.Name, 0, 0, null, TimeSpan.Zero, from, e.Message);
            }
        }));
    }
}
