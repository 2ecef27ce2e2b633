using Ates.Contracts;
using Ates.Messaging.Outbox;
using Ates.ServiceDefaults.Hosting;
using Ates.Tasks.Data;
using Ates.Tasks.Domain;

namespace Ates.Tasks.Reassigning;

/// <summary>
/// Gives open tasks new random assignees and writes a task.assigned for each, all stamped with the billing day of one
/// instant (a shuffle's chunk, a leaver's tasks). Runs in the caller's transaction, under the task log lock.
/// </summary>
public sealed class Reassigner(TasksDb db, IOutbox outbox, TimeProvider time, BillingCalendar calendar, IRandomPick random)
{
    public async Task ReassignAsync(IEnumerable<PopugTask> tasks, IReadOnlyList<Guid> eligible, AssignmentReason reason, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var day = await db.BillingDayAsync(calendar, now, ct);
        foreach (var task in tasks)
        {
            var assignee = Assignment.Pick(eligible, random)!.Value;
            var previous = task.AssignTo(assignee);
            outbox.Add(new TaskAssigned(task.Id, assignee, previous, reason, day), task.Id.ToString(), now);
        }
    }
}
