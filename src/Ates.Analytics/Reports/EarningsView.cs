namespace Ates.Analytics.Reports;

/// <summary>A day's earnings as the JSON API answers them: dollars, as the company sees it (fees, rewards, payouts are 0 or more).</summary>
public sealed record EarningsView(DateOnly Day, decimal ManagementEarnings, decimal AssignFees, decimal Rewards, decimal Payouts)
{
    public static EarningsView Of(DayTotals t) => new(t.Day, t.ManagementEarnings, t.AssignFees, t.Rewards, t.Payouts);
}
