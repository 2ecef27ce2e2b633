namespace Ates.Analytics.Data;

/// <summary>A day Accounting closed (billing.cycle_closed), with its own figures.</summary>
public sealed class ClosedDayFact : IFact
{
    public long Generation { get; set; }
    public DateOnly Day { get; set; }
    public long ManagementEarningsCents { get; set; }
    public long PayoutsCents { get; set; }
    public int AccountsInNegative { get; set; }
}
