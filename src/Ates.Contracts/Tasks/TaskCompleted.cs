namespace Ates.Contracts;

/// <summary>The assignee marked a task done (business event).</summary>
[Event("tasks", "task.completed", 1)]
public sealed record TaskCompleted(
    Guid TaskId,
    Guid AssigneeId,
    DateTimeOffset CompletedAt);
