using Ates.Analytics.Data;
using Ates.Analytics.Reports.History;
using Ates.Analytics.Reports.MostExpensiveTask;

namespace Ates.Analytics.Reports;

// What the JSON API answers. Money is in dollars, as the company sees it (fees, rewards, payouts are 0 or more).

public sealed record EarningsView(DateOnly Day, decimal ManagementEarnings, decimal AssignFees, decimal Rewards, decimal Payouts)
{
    public static EarningsView Of(DayTotals t) => new(t.Day, t.ManagementEarnings, t.AssignFees, t.Rewards, t.Payouts);
}

public sealed record InNegativeView(DateOnly Day, int PopugsInNegative);

/// <summary>A task and its price (its reward). Title and jira id are null while the task's task.created has not arrived.</summary>
public sealed record TaskView(Guid Id, string? JiraId, string? Title, decimal Price, DateOnly CompletedOn)
{
    public static TaskView? Of(PricedTask? t) => t is null ? null : new(t.TaskId, t.JiraId, t.Title, t.Price, t.Day);
}

/// <summary>The most expensive task of a period; <see cref="Text"/> reads as the spec writes it: "1–3 March — $38".</summary>
public sealed record MostExpensiveView(DateOnly From, DateOnly To, string Label, string Text, TaskView? Task);

public sealed record TodayView(DateOnly Day, decimal ManagementEarnings, int PopugsInNegative, MostExpensiveView MostExpensiveToday);

/// <summary>Accounting's own figures for a day it closed (billing.cycle_closed).</summary>
public sealed record ClosedView(decimal ManagementEarnings, decimal Payouts, int AccountsInNegative)
{
    public static ClosedView? Of(ClosedDay? d) => d is null ? null
        : new(Money.FromCents(d.ManagementEarningsCents), Money.FromCents(d.PayoutsCents), d.AccountsInNegative);
}

public sealed record HistoryDayView(DateOnly Day, decimal ManagementEarnings, decimal AssignFees, decimal Rewards, decimal Payouts,
    int PopugsInNegative, TaskView? MostExpensiveTask, ClosedView? ClosedByAccounting)
{
    public static HistoryDayView Of(HistoryDay d) => new(d.Day, d.Totals.ManagementEarnings, d.Totals.AssignFees, d.Totals.Rewards,
        d.Totals.Payouts, d.InNegative, TaskView.Of(d.MostExpensive), ClosedView.Of(d.Closed));
}
