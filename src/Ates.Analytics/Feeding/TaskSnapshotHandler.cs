using Ates.Contracts;
using Ates.Messaging.Inbox;

namespace Ates.Analytics.Feeding;

/// <summary>Keeps each task's title and jira id: the newest entity version wins, whatever order the snapshots arrive in.</summary>
public sealed class TaskSnapshotHandler(BatchFacts facts, FedGenerations generations) : IEventHandler<TaskCreated>, IEventHandler<TaskUpdated>
{
    // task.created v1 arrives here too, read as v2 by the registry (jira id taken out of the title).
    public Task HandleAsync(TaskCreated @event, EventContext context, CancellationToken ct) =>
        ApplyAsync(@event.TaskId, @event.Title, @event.JiraId, @event.EntityVersion, ct);

    public Task HandleAsync(TaskUpdated @event, EventContext context, CancellationToken ct) =>
        ApplyAsync(@event.TaskId, @event.Title, @event.JiraId, @event.EntityVersion, ct);

    async Task ApplyAsync(Guid taskId, string title, string? jiraId, long version, CancellationToken ct)
    {
        foreach (var generation in await generations.AllAsync(ct))
        {
            var task = await facts.FindTaskAsync(generation, taskId, ct) ?? facts.AddTask(generation, taskId);
            if (version <= task.EntityVersion) continue;
            task.Title = title;
            task.JiraId = string.IsNullOrWhiteSpace(jiraId) ? null : jiraId;
            task.EntityVersion = version;
        }
    }
}
