using Ates.Contracts;
using Ates.ServiceDefaults.Hosting;
using Ates.Tasks.Data;
using Ates.Tasks.Domain;

namespace Ates.Tasks.Creating;

/// <summary>What a person sends to create or edit a task.</summary>
public sealed record TaskInput(string? Title, string? JiraId, string? Description);

/// <summary>
/// Anyone creates a task; it goes at once to a random eligible popug. Stored with task.created (v2) and
/// task.assigned (reason created) in one transaction — or, with nobody to assign, not at all.
/// </summary>
public sealed class CreateTask(TaskWriter writer, TimeProvider time, IRandomPick random)
{
    public static readonly Refusal NobodyToAssign = new(StatusCodes.Status409Conflict, "Nobody to assign the task to",
        "A task is always assigned, and there is no active popug who is neither an admin nor a manager. Nothing was stored.");

    public Task<Outcome<PopugTask>> RunAsync(TaskInput input, Guid createdBy, CancellationToken ct)
    {
        var (text, errors) = TaskText.Parse(input.Title, input.JiraId, input.Description);
        if (text is null) return Task.FromResult<Outcome<PopugTask>>(Refusal.Invalid(errors));

        return writer.WriteAsync(async (turn, ct) =>
        {
            if (await turn.PickAssigneeAsync(random, ct) is not { } assignee) return NobodyToAssign;

            var now = time.GetUtcNow();
            var task = PopugTask.Create(Guid.CreateVersion7(now), text, assignee, createdBy, now);
            turn.Db.Tasks.Add(task);
            var key = task.Id.ToString();
            var day = await turn.BillingDayAsync(now, ct);
            turn.Outbox.Add(new TaskCreated(task.Id, task.Title, task.JiraId, task.Description, task.EntityVersion), key, now);
            turn.Outbox.Add(new TaskAssigned(task.Id, assignee, PreviousAssigneeId: null, AssignmentReason.Created, day), key, now);
            return task;
        }, ct);
    }
}
