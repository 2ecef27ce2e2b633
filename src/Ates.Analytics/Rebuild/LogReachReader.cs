using Ates.Analytics.Data;
using Ates.Analytics.Ops;
using Ates.Messaging.Envelope;
using Ates.Messaging.Inbox;
using Ates.Messaging.Ops;
using Microsoft.EntityFrameworkCore;

namespace Ates.Analytics.Rebuild;

/// <summary>
/// How far back one producer's event log reaches (<see cref="FirstSequence"/> to <see cref="LastSequence"/>, the
/// oldest event at <see cref="FirstAt"/>), and <see cref="Lost"/>: how many of the events Analytics' current facts were
/// built from the log no longer holds, which a rebuild would not get back. <see cref="Error"/> says why the producer
/// could not be asked.
/// </summary>
public sealed record ProducerLog(string Producer, long FirstSequence, long LastSequence, DateTime? FirstAt, TimeSpan Retention,
    long Lost, string? Error);

/// <summary>Asks every producer for its log's reach (its ops status, with the admin's token) and counts in Analytics' inbox what lies before it.</summary>
public sealed class LogReachReader(OpsConsole console, AnalyticsDb db)
{
    public async Task<IReadOnlyList<ProducerLog>> ReadAsync(string? accessToken, CancellationToken ct)
    {
        var producers = console.Services(accessToken).Values.Where(s => s.Name != Rebuilder.Consumer);
        var asked = await Task.WhenAll(producers.Select(async producer =>
        {
            try
            {
                return (producer.Name, Log: (await producer.StatusAsync(ct)).Log, Error: (string?)null);
            }
            catch (OpsCallException e)
            {
                return (producer.Name, Log: (LogStatus?)null, Error: e.Message);
            }
        }));

        var reach = new List<ProducerLog>();
        foreach (var (name, log, error) in asked)
        {
            if (log is null)
            {
                reach.Add(new ProducerLog(name, 0, 0, null, TimeSpan.Zero, 0, error));
                continue;
            }
            // An empty log holds none of what was handled from it.
            var before = log.FirstSequence == 0 ? long.MaxValue : log.FirstSequence;
            var source = EventEnvelope.SourceOf(name);
            var lost = await db.Set<InboxMessage>().LongCountAsync(m => m.Source == source && m.Sequence < before, ct);
            reach.Add(new ProducerLog(name, log.FirstSequence, log.LastSequence, log.FirstAt, log.Retention, lost, null));
        }
        return reach;
    }
}
