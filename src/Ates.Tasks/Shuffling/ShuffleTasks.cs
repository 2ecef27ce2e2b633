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
/// "Reassign open tasks" (managers and admins): every task open when the shuffle starts gets a new random eligible
/// assignee — possibly the same one — and a task.assigned (reason shuffle), each costing its assignee the assign fee.
/// In chunks (<see cref="TasksOptions.ShuffleChunkSize"/>), each its own transaction: memory stays flat however many tasks are open, and
/// the relay publishes a chunk while the next is written. A task completed meanwhile is no longer open and keeps its
/// assignee; each reassignment is one event, so each costs its fee once.
/// </summary>
public sealed class ShuffleTasks(TasksDb db, IOutbox outbox, TimeProvider time, BillingCalendar calendar, IRandomPick random, TasksOptions options)
{
    public async Task<Outcome<ShuffleResult>> RunAsync(CancellationToken ct)
    {
        var open = await db.Tasks.AsNoTracking().Where(t => t.State == TaskState.Open)
            .OrderBy(t => t.CreatedAt).ThenBy(t => t.Id).Select(t => t.Id).ToListAsync(ct);
        var reassigned = 0;
        foreach (var chunk in open.Count == 0 ? [[]] : open.Chunk(Math.Max(1, options.ShuffleChunkSize)))
        {
            await using var transaction = await db.BeginTaskWriteAsync(ct);
            var eligible = await db.EligibleAsync(ct);
            if (eligible.Count == 0)
            {
                if (reassigned > 0) break; // everyone left mid-shuffle: the rest keep their assignees
                return CreateTask.NobodyToAssign with { Detail = "There is no active popug who is neither an admin nor a manager to give the open tasks to. Nothing changed." };
            }
            var tasks = (await db.Tasks.Where(t => chunk.Contains(t.Id) && t.State == TaskState.Open).ToListAsync(ct))
                .OrderBy(t => t.CreatedAt).ThenBy(t => t.Id);
            var now = time.GetUtcNow();
            var day = await db.BillingDayAsync(calendar, now, ct);
            foreach (var task in tasks)
            {
                var assignee = Assignment.Pick(eligible, random)!.Value;
                var previous = task.AssignTo(assignee);
                outbox.Add(new TaskAssigned(task.Id, assignee, previous, AssignmentReason.Shuffle, day), task.Id.ToString(), now);
                reassigned++;
            }
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
            db.ChangeTracker.Clear();
        }
        return new ShuffleResult(reassigned);
    }
}
