using Ates.Contracts;
using Ates.Messaging.Outbox;
using Ates.ServiceDefaults.Hosting;
using Ates.Tasks.Creating;
using Ates.Tasks.Data;
using Ates.Tasks.Domain;

namespace Ates.Tasks.Editing;

/// <summary>Title, jira id and description can be changed (the seed's task.update); each change is a task.updated snapshot.</summary>
public sealed class EditTask(TasksDb db, IOutbox outbox)
{
    public async Task<Outcome<PopugTask>> RunAsync(Guid id, TaskInput input, CancellationToken ct)
    {
        var (text, errors) = TaskText.Parse(input.Title, input.JiraId, input.Description);
        if (text is null) return Refusal.Invalid(errors);

        await using var transaction = await db.BeginTaskWriteAsync(ct);
        if (await db.Tasks.FindAsync([id], ct) is not { } task) return TaskRefusals.NoSuchTask(id);
        if (task.Edit(text))
        {
            outbox.Add(new TaskUpdated(task.Id, task.Title, task.JiraId, task.Description, task.EntityVersion), task.Id.ToString());
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
        }
        return task;
    }
}
