namespace Ates.Accounting.TaskCharges;

/// <summary>
/// Accounting's copy of a task: what the audit log shows (title, jira id) and the prices set on first sight.
/// Entity version 0 is a placeholder: an assignment or completion arrived before the task's task.created.
/// </summary>
public sealed class BillableTask
{
    public Guid Id { get; set; }
    public string Title { get; set; } = "";
    public string? JiraId { get; set; }
    public long EntityVersion { get; set; }
    public decimal AssignFee { get; set; }
    public decimal Reward { get; set; }
    public DateTime PricedAt { get; set; }

    /// <summary>Takes a CUD snapshot if newer than what is held; prices never change.</summary>
    public bool Apply(string title, string? jiraId, long entityVersion)
    {
        if (entityVersion <= EntityVersion) return false;
        (Title, JiraId, EntityVersion) = (title, jiraId, entityVersion);
        return true;
    }
}

