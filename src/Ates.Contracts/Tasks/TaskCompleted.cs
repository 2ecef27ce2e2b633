namespace Ates.Contracts;

/// <summary>
/// The assignee marked a task done (business event), version 2: it names the billing day Tasks wrote it in, the day
/// its reward is posted to. <see cref="BillingDay"/> is null only when read from version 1.
/// </summary>
[Event("tasks", "task.completed", 2)]
public sealed record TaskCompleted(
    Guid TaskId,
    Guid AssigneeId,
    DateTimeOffset CompletedAt,
    DateOnly? BillingDay);
