namespace Ates.Tasks.Domain;

/// <summary>A task as the API shows it, with its assignee's name from the users replica.</summary>
public sealed record TaskView(
    Guid Id, string Title, string? JiraId, string Description, TaskState Status,
    Guid AssigneeId, string AssigneeName, DateTimeOffset CreatedAt, DateTimeOffset? CompletedAt, long EntityVersion)
{
    public static TaskView Of(PopugTask task, string assigneeName) => new(
        task.Id, task.Title, task.JiraId, task.Description, task.State,
        task.AssigneeId, assigneeName, task.CreatedAt, task.CompletedAt, task.EntityVersion);
}
