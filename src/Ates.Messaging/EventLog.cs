using Ates.Messaging.Outbox;
using Ates.Messaging.Envelope;
using Ates.Messaging.Transports;
using Microsoft.EntityFrameworkCore;

namespace Ates.Messaging;

/// <summary>The producer's retained outbox read as its event log: replay from a position into one consumer.</summary>
public sealed class EventLog<TDb>(TDb db, IEventTransport transport, MessagingOptions options)
    where TDb : DbContext
{
    public async Task<long> LastSequenceAsync(CancellationToken ct) =>
        await db.Set<OutboxMessage>().MaxAsync(m => (long?)m.Sequence, ct) ?? 0;

    /// <summary>
    /// Sends every event from <paramref name="fromSequence"/> on to <paramref name="consumer"/>, in order. Returns how
    /// many. Rows not marked published yet go too: on the embedded bus the consumer may have committed them before the
    /// mark was written, and what also arrives live its inbox takes once.
    /// </summary>
    public async Task<long> ReplayAsync(string consumer, long fromSequence, IProgress<long>? progress, CancellationToken ct)
    {
        var source = EventEnvelope.SourceOf(options.Service);
        long sent = 0, position = fromSequence;
        while (true)
        {
            var page = await db.Set<OutboxMessage>().AsNoTracking()
                .Where(m => m.Sequence >= position)
                .OrderBy(m => m.Sequence)
                .Take(options.RelayBatchSize)
                .ToListAsync(ct);
            if (page.Count == 0) return sent;

            await transport.SendToConsumerAsync(consumer, page.Select(r => r.ToEnvelope(source)).ToList(), ct);
            sent += page.Count;
            position = page[^1].Sequence + 1;
            progress?.Report(sent);
        }
    }
}
