namespace Ates.Analytics.Reports.MostExpensiveTask;

/// <summary>A task whose reward was posted in a period: its price is the reward.</summary>
public sealed record PricedTask(Guid TaskId, string? JiraId, string? Title, decimal Price, DateOnly Day);

/// <summary>The most expensive task of a period: the highest reward among the tasks completed (rewarded) in it.</summary>
public static class MostExpensive
{
    /// <summary>The highest price; a tie goes to the task completed first, then to the lower task id, so every run picks the same.</summary>
    public static PricedTask? Pick(IEnumerable<PricedTask> rewarded) =>
        rewarded.OrderByDescending(t => t.Price).ThenBy(t => t.Day).ThenBy(t => t.TaskId).FirstOrDefault();

    /// <summary>"3 March — $28", "1–3 March — $38", or "3 March — no task completed".</summary>
    public static string Sentence(Period period, PricedTask? top, int currentYear) =>
        $"{period.Label(currentYear)} — {(top is null ? "no task completed" : Money.Format(top.Price))}";
}
