using Ates.Contracts;
using Ates.ServiceDefaults.Users;
using Ates.Tasks.Data;
using Ates.Tasks.Domain;
using Microsoft.EntityFrameworkCore;

namespace Ates.Tasks.Reassigning;

/// <summary>
/// When the users replica learns that a popug can no longer be assigned (deactivated, or made admin or manager),
/// gives each of their open tasks to a random eligible popug (task.assigned, reason assignee_left). A redelivered
/// event is skipped by the inbox and a stale one by the replica; after a reassignment they hold no open task, so
/// the tasks move once. With nobody left to take them the tasks wait, and move when someone becomes assignable.
/// </summary>
public sealed class ReassignWhenAssigneeLeaves(TasksDb db, Reassigner reassigner, ILogger<ReassignWhenAssigneeLeaves> log)
    : IUserChangeReaction<TasksDb>
{
    public async Task ReactAsync(UserChange change, CancellationToken ct)
    {
        await db.LockTaskLogAsync(ct);
        await db.SaveChangesAsync(ct); // inside the consumer's transaction: the queries below see the replica as it is now

        // A leaver's open tasks; or, when someone becomes assignable, tasks stranded earlier with nobody to take them.
        var leaving = !change.After.CanBeAssigned;
        var leavers = db.Users.Where(KnownUser.NotAssignable).Select(u => u.Id);
        var stranded = leaving
            ? db.Tasks.Where(t => t.AssigneeId == change.After.Id && t.State == TaskState.Open)
            : db.Tasks.Where(t => t.State == TaskState.Open && leavers.Contains(t.AssigneeId));
        var tasks = await stranded.OrderBy(t => t.CreatedAt).ThenBy(t => t.Id).ToListAsync(ct);
        if (tasks.Count == 0) return;

        var eligible = await db.EligibleAsync(ct);
        if (eligible.Count == 0)
        {
            log.LogWarning("{Count} open tasks of {User} wait for someone who can be assigned", tasks.Count, change.After.Id);
            return;
        }
        await reassigner.ReassignAsync(tasks, eligible, AssignmentReason.AssigneeLeft, ct);
        log.LogInformation("Reassigned {Count} open tasks whose assignee can no longer take them", tasks.Count);
    }
}
