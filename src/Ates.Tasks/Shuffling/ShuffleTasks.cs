using Ates.Contracts;
using Ates.ServiceDefaults.Hosting;
using Ates.Tasks.Creating;
using Ates.Tasks.Data;
using Ates.Tasks.Domain;
using Ates.Tasks.Hosting;
using Ates.Tasks.Reassigning;
using Microsoft.EntityFrameworkCore;

namespace Ates.Tasks.Shuffling;

/// <summary>How many open tasks a shuffle reassigned.</summary>
public sealed record ShuffleResult(int Reassigned);

/// <summary>
/// "Reassign open tasks" (managers and admins): every task open when the shuffle starts gets a new random eligible
/// assignee — possibly the same one — and a task.assigned (reason shuffle), each costing its assignee the assign fee.
/// In chunks (<see cref="TasksOptions.ShuffleChunkSize"/>), each its own transaction: memory stays flat however many
/// tasks are open, and the relay publishes a chunk while the next is written. A task completed meanwhile is no longer
/// open and keeps its assignee; each reassignment is one event, so each costs its fee once.
/// </summary>
public sealed class ShuffleTasks(TasksDb db, Reassigner reassigner, TasksOptions options)
{
    public async Task<Outcome<ShuffleResult>> RunAsync(CancellationToken ct)
    {
        if ((await db.EligibleAsync(ct)).Count == 0)
            return CreateTask.NobodyToAssign with { Detail = "There is no active popug who is neither an admin nor a manager to give the open tasks to. Nothing changed." };

        var open = await OpenTasks().Select(t => t.Id).ToListAsync(ct);
        var reassigned = 0;
        foreach (var chunk in open.Chunk(Math.Max(1, options.ShuffleChunkSize)))
        {
            await using var transaction = await db.BeginTaskWriteAsync(ct);
            var eligible = await db.EligibleAsync(ct);
            if (eligible.Count == 0) break; // everyone left mid-shuffle: the rest keep their assignees
            var tasks = await OpenTasks().Where(t => chunk.Contains(t.Id)).ToListAsync(ct);
            await reassigner.ReassignAsync(tasks, eligible, AssignmentReason.Shuffle, ct);
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
            db.ChangeTracker.Clear();
            reassigned += tasks.Count;
        }
        return new ShuffleResult(reassigned);
    }

    IQueryable<PopugTask> OpenTasks() => db.Tasks.Where(t => t.State == TaskState.Open).OrderBy(t => t.CreatedAt).ThenBy(t => t.Id);
}
