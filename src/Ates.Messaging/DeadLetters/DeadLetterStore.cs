using System.Text;
using Ates.Messaging.Inbox;
using Ates.Messaging.Transports;
using Microsoft.EntityFrameworkCore;

namespace Ates.Messaging.DeadLetters;

/// <summary>Lists, retries and discards the events this service gave up on.</summary>
public sealed class DeadLetterStore<TDb>(TDb db, EventConsumer<TDb> consumer, MessagingOptions options)
    where TDb : DbContext
{
    public Task<List<DeadLetter>> ListAsync(CancellationToken ct) =>
        db.Set<DeadLetter>().AsNoTracking().OrderBy(d => d.FailedAt).ToListAsync(ct);

    public Task<DeadLetter?> FindAsync(Guid id, CancellationToken ct) =>
        db.Set<DeadLetter>().AsNoTracking().FirstOrDefaultAsync(d => d.Id == id, ct);

    /// <summary>
    /// Hands the event to the consumer once more. The dead letter is removed when the event is handled
    /// (or was meanwhile); if it fails again, the same dead letter records the new reason.
    /// Null when no such dead letter exists.
    /// </summary>
    public async Task<ConsumeOutcome?> RetryAsync(Guid id, CancellationToken ct)
    {
        var letter = await db.Set<DeadLetter>().FirstOrDefaultAsync(d => d.Id == id, ct);
        if (letter is null) return null;

        // An operator's retry is a single last attempt: no delayed redelivery behind it.
        var outcome = await consumer.ConsumeAsync(Encoding.UTF8.GetBytes(letter.Body), attempt: options.MaxAttempts, ct);
        // A malformed message has no id to find its letter by, so a failed retry added a fresh one.
        if (outcome is ConsumeOutcome.Handled or ConsumeOutcome.Duplicate || letter.EventId is null)
            await db.Set<DeadLetter>().Where(d => d.Id == letter.Id).ExecuteDeleteAsync(ct);
        return outcome;
    }

    public async Task<bool> DiscardAsync(Guid id, CancellationToken ct) =>
        await db.Set<DeadLetter>().Where(d => d.Id == id).ExecuteDeleteAsync(ct) == 1;
}
