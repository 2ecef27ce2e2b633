using System.Text.RegularExpressions;
using Ates.ServiceDefaults.Validation;

namespace Ates.Tasks.Domain;

/// <summary>What a person writes about a task: title, jira id, description — validated together.</summary>
public sealed partial record TaskText(string Title, string? JiraId, string Description)
{
    public const int MaxTitle = 200;
    public const int MaxDescription = 4000;

    /// <summary>
    /// The text, or the errors by field (snake_case, as the API names them). The title is trimmed and must be free of
    /// square brackets: the jira id has its own field. A jira id is upper-cased (uberpop-42 → UBERPOP-42).
    /// </summary>
    public static (TaskText? Text, Dictionary<string, string[]> Errors) Parse(string? title, string? jiraId, string? description)
    {
        var errors = new Dictionary<string, string[]>();
        var cleanTitle = (title ?? "").Trim();
        if (cleanTitle.Length == 0)
            errors["title"] = ["A task needs a title."];
        else if (cleanTitle.Contains('[') || cleanTitle.Contains(']'))
            errors["title"] = ["The title must not contain '[' or ']'. Put the jira id in the jira_id field (e.g. UBERPOP-42), not in the title."];
        else if (cleanTitle.Length > MaxTitle)
            errors["title"] = [$"The title is {cleanTitle.Length} characters long; at most {MaxTitle} are allowed."];
        else if (PlainText.Problem(cleanTitle) is { } titleProblem)
            errors["title"] = [$"The title {titleProblem}."];

        var cleanJira = string.IsNullOrWhiteSpace(jiraId) ? null : jiraId.Trim().ToUpperInvariant();
        if (cleanJira is not null && (cleanJira.Length > 32 || !JiraPattern().IsMatch(cleanJira)))
            errors["jira_id"] = [$"'{jiraId!.Trim()}' is not a jira id: write it like UBERPOP-42 (letters, a dash, digits), without brackets."];

        var cleanDescription = (description ?? "").Trim();
        if (cleanDescription.Length > MaxDescription)
            errors["description"] = [$"The description is {cleanDescription.Length} characters long; at most {MaxDescription} are allowed."];
        else if (PlainText.Problem(cleanDescription, multiline: true) is { } descriptionProblem)
            errors["description"] = [$"The description {descriptionProblem}."];

        return errors.Count > 0 ? (null, errors) : (new TaskText(cleanTitle, cleanJira, cleanDescription), errors);
    }

    [GeneratedRegex("^[A-Z][A-Z0-9]*-[0-9]+$")]
    private static partial Regex JiraPattern();
}
