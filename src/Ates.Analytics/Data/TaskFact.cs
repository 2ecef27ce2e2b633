namespace Ates.Analytics.Data;

/// <summary>What a report shows of a task. Entity version 0 is a placeholder: a posting named the task before its task.created arrived.</summary>
public sealed class TaskFact : IFact
{
    public long Generation { get; set; }
    public Guid TaskId { get; set; }
    public string Title { get; set; } = "";
    public string? JiraId { get; set; }
    public long EntityVersion { get; set; }

    public bool IsPlaceholder => EntityVersion == 0;
}
