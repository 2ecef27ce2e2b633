using Ates.Analytics.Data;
using Ates.Analytics.Reports;
using Ates.Contracts;
using Ates.Messaging.Inbox;

namespace Ates.Analytics.Feeding;

/// <summary>
/// Stores the posting once by its transaction id (besides the inbox, which dedupes by event id), and a placeholder
/// for a task it names first: its task.created may still be on the way.
/// </summary>
public sealed class TransactionAppliedHandler(AnalyticsDb db) : IEventHandler<TransactionApplied>
{
    public async Task HandleAsync(TransactionApplied @event, EventContext context, CancellationToken ct)
    {
        if (await db.Postings.FindAsync([@event.TransactionId], ct) is not null) return;
        db.Postings.Add(new Posting
        {
            TransactionId = @event.TransactionId,
            AccountId = @event.AccountId,
            Kind = @event.Kind,
            AmountCents = Money.ToCents(@event.Amount),
            TaskId = @event.TaskId,
            Day = @event.Day,
        });
        if (@event.TaskId is { } taskId && await db.Tasks.FindAsync([taskId], ct) is null)
            db.Tasks.Add(new TaskInfo { TaskId = taskId });
    }
}
