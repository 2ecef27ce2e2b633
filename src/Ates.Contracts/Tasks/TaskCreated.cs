namespace Ates.Contracts;

/// <summary>Tasks created a task (CUD), version 2: the jira id has its own field and the title has no brackets.</summary>
[Event("tasks", "task.created", 2)]
public sealed record TaskCreated(
    Guid TaskId,
    string Title,
    string? JiraId,
    string Description,
    long EntityVersion);
