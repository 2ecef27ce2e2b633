using Ates.Accounting.Billing;
using Ates.Accounting.Data;
using Ates.Accounting.Ledger;
using Ates.Contracts;
using Ates.Messaging.Inbox;
using Ates.ServiceDefaults.Users;

namespace Ates.Accounting.TaskCharges;

/// <summary>
/// Tasks' four task events. Whichever brings a task first prices it; an assignment debits the assignee the fee and a
/// completion credits the reward, each keyed by the event id and posted to the billing day Tasks wrote the event in.
/// None of them locks or changes the open day: the day closes after the commit that processed its last event
/// (<see cref="Billing.ClosingDay.DayCloseAfterCommit"/>).
/// </summary>
public sealed class TaskEventHandlers(BillableTasks tasks, LedgerBook ledger, BillingDays days, UserReplica<AccountingDb> users)
    : IEventHandler<TaskCreated>, IEventHandler<TaskUpdated>, IEventHandler<TaskAssigned>, IEventHandler<TaskCompleted>
{
    public async Task HandleAsync(TaskCreated e, EventContext context, CancellationToken ct) =>
        (await tasks.GetAsync(e.TaskId, ct)).Apply(e.Title, e.JiraId, e.EntityVersion);

    public async Task HandleAsync(TaskUpdated e, EventContext context, CancellationToken ct) =>
        (await tasks.GetAsync(e.TaskId, ct)).Apply(e.Title, e.JiraId, e.EntityVersion);

    public Task HandleAsync(TaskAssigned e, EventContext context, CancellationToken ct) =>
        PostAsync(TransactionKind.AssignFee, e.TaskId, e.AssigneeId, e.BillingDay, task => task.AssignFee, context, ct);

    public Task HandleAsync(TaskCompleted e, EventContext context, CancellationToken ct) =>
        PostAsync(TransactionKind.Reward, e.TaskId, e.AssigneeId, e.BillingDay, task => task.Reward, context, ct);

    async Task PostAsync(TransactionKind kind, Guid taskId, Guid assigneeId, DateOnly? billingDay, Func<BillableTask, decimal> price,
        EventContext context, CancellationToken ct)
    {
        var day = await days.PostingDayAsync(billingDay, context.Time, ct);
        var task = await tasks.GetAsync(taskId, ct);
        await users.EnsureKnownAsync(assigneeId, ct);
        await ledger.PostAsync(Posting.EventKey(context.EventId), kind, assigneeId, price(task), taskId, day, ct);
    }
}
