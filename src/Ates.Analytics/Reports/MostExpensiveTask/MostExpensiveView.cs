namespace Ates.Analytics.Reports.MostExpensiveTask;

/// <summary>A task and its price (its reward). Title and jira id are null while the task's task.created has not arrived.</summary>
public sealed record TaskView(Guid Id, string? JiraId, string? Title, decimal Price, DateOnly CompletedOn)
{
    public static TaskView? Of(PricedTask? t) => t is null ? null : new(t.TaskId, t.JiraId, t.Title, t.Price, t.Day);
}

/// <summary>The most expensive task of a period; <see cref="Text"/> reads as the spec writes it: "1–3 March — $38".</summary>
public sealed record MostExpensiveView(DateOnly From, DateOnly To, string Label, string Text, TaskView? Task);
