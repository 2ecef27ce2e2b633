using System.Text.RegularExpressions;

namespace Ates.Contracts;

/// <summary>
/// Tasks created a task (CUD), version 1: the jira id, if any, is written inside the title,
/// e.g. <c>[UBERPOP-42] - Fix the beak</c>. Still read, as <see cref="TaskCreated"/>.
/// </summary>
[Event("tasks", "task.created", 1)]
public sealed partial record TaskCreatedV1(
    Guid TaskId,
    string Title,
    string Description) : IUpcast<TaskCreated>
{
    /// <summary>
    /// <c>[UBERPOP-42] - Fix the beak</c> and <c>[UBERPOP-42] Fix the beak</c> become jira id
    /// <c>UBERPOP-42</c>, title <c>Fix the beak</c>. The first bracketed jira id anywhere in the
    /// title is taken (upper-cased), with the dash or colon that separated it. Any other square
    /// brackets are dropped, keeping their text, so the v2 title has none. No bracketed jira id:
    /// jira id null. A title that would end up empty becomes the jira id, or "untitled".
    /// </summary>
    public TaskCreated Upcast()
    {
        string? jiraId = null;
        var title = Title;

        var match = BracketedJiraId().Match(title);
        if (match.Success)
        {
            jiraId = match.Groups["id"].Value.ToUpperInvariant();
            var before = title[..match.Index];
            var after = title[(match.Index + match.Length)..];
            title = $"{Separator().Replace(before, "")} {LeadingSeparator().Replace(after, "")}";
        }

        title = Spaces().Replace(title.Replace("[", " ").Replace("]", " "), " ").Trim();
        if (title.Length == 0)
        {
            title = jiraId ?? "untitled";
        }

        return new TaskCreated(TaskId, title, jiraId, Description, EntityVersion: 1);
    }

    [GeneratedRegex(@"\[\s*(?<id>[A-Za-z][A-Za-z0-9]*-[0-9]+)\s*\]")]
    private static partial Regex BracketedJiraId();

    // The separator between the title and a jira id written after it: "Fix the beak - [UBERPOP-42]".
    [GeneratedRegex(@"[\s\-–—:]*\z")]
    private static partial Regex Separator();

    // The separator between a jira id and the title after it: "[UBERPOP-42] - Fix the beak".
    [GeneratedRegex(@"\A[\s\-–—:]*")]
    private static partial Regex LeadingSeparator();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();
}
