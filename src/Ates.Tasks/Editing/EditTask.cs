using Ates.Contracts;
using Ates.ServiceDefaults.Hosting;
using Ates.Tasks.Creating;
using Ates.Tasks.Data;
using Ates.Tasks.Domain;

namespace Ates.Tasks.Editing;

/// <summary>Title, jira id and description can be changed (the seed's task.update); each change is a task.updated snapshot.</summary>
public sealed class EditTask(TaskWriter writer)
{
    public Task<Outcome<PopugTask>> RunAsync(Guid id, TaskInput input, CancellationToken ct)
    {
        var (text, errors) = TaskText.Parse(input.Title, input.JiraId, input.Description);
        if (text is null) return Task.FromResult<Outcome<PopugTask>>(Refusal.Invalid(errors));

        return writer.WriteAsync(async (turn, ct) =>
        {
            if (await turn.Db.Tasks.FindAsync([id], ct) is not { } task) return TaskRefusals.NoSuchTask(id);
            if (task.Edit(text))
                turn.Outbox.Add(new TaskUpdated(task.Id, task.Title, task.JiraId, task.Description, task.EntityVersion), task.Id.ToString());
            return task;
        }, ct);
    }
}
