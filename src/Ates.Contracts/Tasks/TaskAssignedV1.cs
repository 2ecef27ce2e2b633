namespace Ates.Contracts;

/// <summary>Tasks assigned a task, version 1: no billing day. Still read, as <see cref="TaskAssigned"/>.</summary>
[Event("tasks", "task.assigned", 1)]
public sealed record TaskAssignedV1(
    Guid TaskId,
    Guid AssigneeId,
    Guid? PreviousAssigneeId,
    AssignmentReason Reason) : IUpcast<TaskAssigned>
{
    public TaskAssigned Upcast() => new(TaskId, AssigneeId, PreviousAssigneeId, Reason, BillingDay: null);
}
