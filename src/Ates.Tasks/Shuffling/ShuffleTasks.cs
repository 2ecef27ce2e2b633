using Ates.Contracts;
using Ates.Messaging.Outbox;
using Ates.ServiceDefaults.Hosting;
using Ates.Tasks.Creating;
using Ates.Tasks.Data;
using Ates.Tasks.Domain;
using Microsoft.EntityFrameworkCore;

namespace Ates.Tasks.Shuffling;

/// <summary>How many open tasks a shuffle reassigned.</summary>
public sealed record ShuffleResult(int Reassigned);

/// <summary>
/// "Reassign open tasks" (managers and admins): every open task gets a new random eligible assignee — possibly the
/// same one — and a task.assigned (reason shuffle), each costing its assignee the assign fee. One transaction.
/// </summary>
public sealed class ShuffleTasks(TasksDb db, IOutbox outbox, TimeProvider time, BillingCalendar calendar, IRandomPick random)
{
    public async Task<Outcome<ShuffleResult>> RunAsync(CancellationToken ct)
    {
        await using var transaction = await db.BeginTaskWriteAsync(ct);
        var eligible = await db.EligibleAsync(ct);
        if (eligible.Count == 0) return CreateTask.NobodyToAssign with { Detail = "There is no active popug who is neither an admin nor a manager to give the open tasks to. Nothing changed." };

        var open = await db.Tasks.Where(t => t.State == TaskState.Open).OrderBy(t => t.CreatedAt).ThenBy(t => t.Id).ToListAsync(ct);
        var now = time.GetUtcNow();
        var day = await db.BillingDayAsync(calendar, now, ct);
        foreach (var task in open)
        {
            var assignee = Assignment.Pick(eligible, random)!.Value;
            var previous = task.AssignTo(assignee);
            outbox.Add(new TaskAssigned(task.Id, assignee, previous, AssignmentReason.Shuffle, day), task.Id.ToString(), now);
        }
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return new ShuffleResult(open.Count);
    }
}
