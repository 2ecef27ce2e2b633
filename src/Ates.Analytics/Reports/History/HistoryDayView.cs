using Ates.Analytics.Data;
using Ates.Analytics.Reports.MostExpensiveTask;

namespace Ates.Analytics.Reports.History;

/// <summary>Accounting's own figures for a day it closed (billing.cycle_closed).</summary>
public sealed record ClosedView(decimal ManagementEarnings, decimal Payouts, int AccountsInNegative)
{
    public static ClosedView? Of(ClosedDayFact? d) => d is null ? null
        : new(Money.FromCents(d.ManagementEarningsCents), Money.FromCents(d.PayoutsCents), d.AccountsInNegative);
}

public sealed record HistoryDayView(DateOnly Day, decimal ManagementEarnings, decimal AssignFees, decimal Rewards, decimal Payouts,
    int PopugsInNegative, TaskView? MostExpensiveTask, ClosedView? ClosedByAccounting)
{
    public static HistoryDayView Of(HistoryDay d) => new(d.Day, d.Totals.ManagementEarnings, d.Totals.AssignFees, d.Totals.Rewards,
        d.Totals.Payouts, d.InNegative, TaskView.Of(d.MostExpensive), ClosedView.Of(d.Closed));
}
