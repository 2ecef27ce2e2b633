namespace Ates.Contracts;

/// <summary>The assignee marked a task done, version 1: no billing day. Still read, as <see cref="TaskCompleted"/>.</summary>
[Event("tasks", "task.completed", 1)]
public sealed record TaskCompletedV1(
    Guid TaskId,
    Guid AssigneeId,
    DateTimeOffset CompletedAt) : IUpcast<TaskCompleted>
{
    public TaskCompleted Upcast() => new(TaskId, AssigneeId, CompletedAt, BillingDay: null);
}
