namespace Ates.Contracts;

/// <summary>
/// Tasks assigned a task (business event), version 2: it names the billing day Tasks wrote it in, the day its fee is
/// posted to. <see cref="PreviousAssigneeId"/> is null exactly when <see cref="Reason"/> is
/// <see cref="AssignmentReason.Created"/>. <see cref="BillingDay"/> is null only when read from version 1.
/// </summary>
[Event("tasks", "task.assigned", 2)]
public sealed record TaskAssigned(
    Guid TaskId,
    Guid AssigneeId,
    Guid? PreviousAssigneeId,
    AssignmentReason Reason,
    DateOnly? BillingDay);
