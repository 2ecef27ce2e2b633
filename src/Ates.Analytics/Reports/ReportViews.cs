namespace Ates.Analytics.Reports;

// What the JSON API answers. Money is in dollars, as the company sees it (fees, rewards, payouts are 0 or more).

public sealed record EarningsView(DateOnly Day, decimal ManagementEarnings, decimal AssignFees, decimal Rewards, decimal Payouts)
{
    public static EarningsView Of(DayTotals t) => new(t.Day, t.ManagementEarnings, t.AssignFees, t.Rewards, t.Payouts);
}

public sealed record InNegativeView(DateOnly Day, int PopugsInNegative);
