namespace Ates.Contracts;

/// <summary>Tasks changed a task's title, jira id or description: a full snapshot of them (CUD).</summary>
[Event("tasks", "task.updated", 1)]
public sealed record TaskUpdated(
    Guid TaskId,
    string Title,
    string? JiraId,
    string Description,
    long EntityVersion);
