namespace Ates.Contracts;

/// <summary>
/// Tasks assigned a task (business event). <see cref="PreviousAssigneeId"/> is null exactly when
/// <see cref="Reason"/> is <see cref="AssignmentReason.Created"/>.
/// </summary>
[Event("tasks", "task.assigned", 1)]
public sealed record TaskAssigned(
    Guid TaskId,
    Guid AssigneeId,
    Guid? PreviousAssigneeId,
    AssignmentReason Reason);
