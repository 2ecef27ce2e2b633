using Ates.Accounting.Billing;
using Ates.Accounting.Data;
using Ates.Accounting.Ledger;
using Ates.Contracts;
using Ates.Messaging.Inbox;
using Ates.ServiceDefaults.Users;

namespace Ates.Accounting.Tasks;

/// <summary>
/// Tasks' four task events. Whichever brings a task first prices it; an assignment debits the assignee the fee and a
/// completion credits the reward, each keyed by the event id. Every one is recorded by sequence, for the day close,
/// and may complete a day whose marker is waiting for it.
/// </summary>
public sealed class TaskEventHandlers(AccountingDb db, BillableTasks tasks, LedgerBook ledger, BillingDays days,
    UserReplica<AccountingDb> users)
    : IEventHandler<TaskCreated>, IEventHandler<TaskUpdated>, IEventHandler<TaskAssigned>, IEventHandler<TaskCompleted>
{
    public async Task HandleAsync(TaskCreated e, EventContext context, CancellationToken ct)
    {
        await days.LockOpenDayAsync(ct);
        (await tasks.GetAsync(e.TaskId, ct)).Apply(e.Title, e.JiraId, e.EntityVersion);
        await ProcessedAsync(context, ct);
    }

    public async Task HandleAsync(TaskUpdated e, EventContext context, CancellationToken ct)
    {
        await days.LockOpenDayAsync(ct);
        (await tasks.GetAsync(e.TaskId, ct)).Apply(e.Title, e.JiraId, e.EntityVersion);
        await ProcessedAsync(context, ct);
    }

    public Task HandleAsync(TaskAssigned e, EventContext context, CancellationToken ct) =>
        PostAsync(TransactionKind.AssignFee, e.TaskId, e.AssigneeId, task => task.AssignFee, context, ct);

    public Task HandleAsync(TaskCompleted e, EventContext context, CancellationToken ct) =>
        PostAsync(TransactionKind.Reward, e.TaskId, e.AssigneeId, task => task.Reward, context, ct);

    async Task PostAsync(TransactionKind kind, Guid taskId, Guid assigneeId, Func<BillableTask, decimal> price, EventContext context, CancellationToken ct)
    {
        var open = await days.LockOpenDayAsync(ct);
        var task = await tasks.GetAsync(taskId, ct);
        await users.EnsureKnownAsync(assigneeId, ct);
        var day = await days.DayOfAsync(context.Sequence, open, ct);
        await ledger.PostAsync(Posting.EventKey(context.EventId), kind, assigneeId, price(task), taskId, day, open, ct);
        await ProcessedAsync(context, ct);
    }

    async Task ProcessedAsync(EventContext context, CancellationToken ct)
    {
        db.TaskEvents.Add(new ProcessedTaskEvent { EventId = context.EventId, Sequence = context.Sequence, Type = context.Type });
        // Besides the lock, every task event bumps the open day's version: a safety net if a writer forgot the lock.
        (await days.OpenDayAsync(ct)).Version++;
        await db.SaveChangesAsync(ct);
        // This may be the last event a waiting marker needs.
        await days.CloseWhatIsDueAsync(ct);
    }
}
