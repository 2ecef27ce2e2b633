namespace Ates.Contracts;

/// <summary>Why a task was assigned. JSON: <c>created</c>, <c>shuffle</c>, <c>assignee_left</c>.</summary>
public enum AssignmentReason
{
    /// <summary>The first assignment, when the task was created.</summary>
    Created,

    /// <summary>A manager or admin reassigned the open tasks.</summary>
    Shuffle,

    /// <summary>The previous assignee was deactivated or became admin or manager.</summary>
    AssigneeLeft,
}
