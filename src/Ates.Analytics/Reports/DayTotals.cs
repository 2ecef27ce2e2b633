namespace Ates.Analytics.Reports;

/// <summary>
/// One day's money movements as the company sees them (every figure 0 or more): assign fees charged, rewards
/// and payouts paid. Management earnings = fees − rewards, i.e. −(sum of the assign_fee and reward amounts,
/// which are signed from the popugs' side). Payouts only hand over what popugs already earned: they do not count.
/// </summary>
public sealed record DayTotals(DateOnly Day, decimal AssignFees, decimal Rewards, decimal Payouts)
{
    public decimal ManagementEarnings => AssignFees - Rewards;

    /// <summary>From the sums of the signed amounts per kind (fees and payouts negative, rewards positive).</summary>
    public static DayTotals FromSigned(DateOnly day, decimal feeAmounts, decimal rewardAmounts, decimal payoutAmounts) =>
        new(day, -feeAmounts, rewardAmounts, -payoutAmounts);
}
