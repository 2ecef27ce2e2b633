using System.Globalization;
using System.Text;
namespace Ates.Accounting.Emails;

/// <summary>What the management's daily report says: the day's sums, who was paid and who is in the negative, by name.</summary>
public sealed record DailyReport(DateOnly Day, decimal ManagementEarnings, decimal PayoutsTotal, int AccountsInNegative,
    IReadOnlyList<(string Popug, decimal Amount)> Payouts, IReadOnlyList<(string Popug, decimal Balance)> InNegative);

/// <summary>The words of the emails, free of I/O.</summary>
public static class EmailText
{
    public static string Money(decimal amount) =>
        (amount < 0 ? "-$" : "$") + Math.Abs(amount).ToString("N2", CultureInfo.InvariantCulture);

    public static (string Subject, string Body) Payout(DateOnly day, decimal amount) =>
        ($"Your payout for {day:yyyy-MM-dd}: {Money(amount)}",
         $"""
         Hello,

         UberPopug Inc. paid you {Money(amount)} for your work on {day:d MMMM yyyy}.
         Your balance is now $0.00. Every movement is in your account's audit log.

         — aTES Accounting
         """);

    /// <summary>The management report.</summary>
    public static (string Subject, string Body) Report(DailyReport day)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Day {day.Day:yyyy-MM-dd} is closed.");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Management earnings: {Money(day.ManagementEarnings)}");
        var paid = day.Payouts.Count;
        text.AppendLine(CultureInfo.InvariantCulture, $"Payouts: {Money(day.PayoutsTotal)} to {paid} {(paid == 1 ? "popug" : "popugs")}");
        text.AppendLine(CultureInfo.InvariantCulture, $"Accounts in the negative: {day.AccountsInNegative}");
        if (paid > 0)
        {
            text.AppendLine();
            text.AppendLine("Payouts:");
            foreach (var (popug, amount) in day.Payouts) text.AppendLine(CultureInfo.InvariantCulture, $"  {popug}  {Money(amount)}");
        }
        if (day.InNegative.Count > 0)
        {
            text.AppendLine();
            text.AppendLine("In the negative:");
            foreach (var (popug, balance) in day.InNegative) text.AppendLine(CultureInfo.InvariantCulture, $"  {popug}  {Money(balance)}");
        }
        return ($"aTES daily report {day.Day:yyyy-MM-dd}: earnings {Money(day.ManagementEarnings)}, payouts {Money(day.PayoutsTotal)}", text.ToString());
    }
}
