namespace Ates.Tasks.Domain;

/// <summary>Open or done: the only states a task has.</summary>
public enum TaskState { Open, Done }

/// <summary>
/// A task on the board. Never unassigned: it is created with an assignee and only ever reassigned.
/// <see cref="EntityVersion"/> counts the CUD snapshots (creation and each edit) consumers compare.
/// </summary>
public sealed class PopugTask
{
    public Guid Id { get; private set; }
    public string Title { get; private set; } = "";
    public string? JiraId { get; private set; }
    public string Description { get; private set; } = "";
    public TaskState State { get; private set; }
    public Guid AssigneeId { get; private set; }
    public Guid CreatedBy { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset? CompletedAt { get; private set; }
    public long EntityVersion { get; private set; }

    PopugTask() { }

    public static PopugTask Create(Guid id, TaskText text, Guid assigneeId, Guid createdBy, DateTimeOffset now) => new()
    {
        Id = id,
        Title = text.Title,
        JiraId = text.JiraId,
        Description = text.Description,
        State = TaskState.Open,
        AssigneeId = assigneeId,
        CreatedBy = createdBy,
        CreatedAt = now,
        EntityVersion = 1,
    };

    public bool IsOpen => State == TaskState.Open;

    /// <summary>A new snapshot of the text. False (nothing changed, no new version) when it is the same text.</summary>
    public bool Edit(TaskText text)
    {
        if (text == new TaskText(Title, JiraId, Description)) return false;
        (Title, JiraId, Description) = (text.Title, text.JiraId, text.Description);
        EntityVersion++;
        return true;
    }

    /// <summary>Gives the task to <paramref name="assigneeId"/> (possibly the same popug again); returns who had it.</summary>
    public Guid AssignTo(Guid assigneeId)
    {
        if (!IsOpen) throw new InvalidOperationException($"Task {Id} is done; a done task is not reassigned.");
        var previous = AssigneeId;
        AssigneeId = assigneeId;
        return previous;
    }

    /// <summary>Only the current assignee completes an open task. Null when done, else why not.</summary>
    public CompletionRefusal? Complete(Guid by, DateTimeOffset now)
    {
        if (!IsOpen) return CompletionRefusal.AlreadyDone;
        if (by != AssigneeId) return CompletionRefusal.NotTheAssignee;
        State = TaskState.Done;
        CompletedAt = now;
        return null;
    }
}

public enum CompletionRefusal { AlreadyDone, NotTheAssignee }
