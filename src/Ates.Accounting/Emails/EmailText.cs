using System.Globalization;
using System.Text;
using Ates.Accounting.Billing.ClosingDay;

namespace Ates.Accounting.Emails;

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

    /// <summary>The management report; <paramref name="nameOf"/> names an account's popug.</summary>
    public static (string Subject, string Body) DailyReport(DayCloseResult day, Func<Guid, string> nameOf)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Day {day.Day:yyyy-MM-dd} is closed.");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Management earnings: {Money(day.ManagementEarnings)}");
        var paid = day.Paid.Count();
        text.AppendLine(CultureInfo.InvariantCulture, $"Payouts: {Money(day.PayoutsTotal)} to {paid} {(paid == 1 ? "popug" : "popugs")}");
        text.AppendLine(CultureInfo.InvariantCulture, $"Accounts in the negative: {day.AccountsInNegative}");
        if (day.Paid.Any())
        {
            text.AppendLine();
            text.AppendLine("Payouts:");
            foreach (var a in day.Paid) text.AppendLine(CultureInfo.InvariantCulture, $"  {nameOf(a.AccountId)}  {Money(a.Paid)}");
        }
        var negative = day.Accounts.Where(a => a.Closing < 0).ToList();
        if (negative.Count > 0)
        {
            text.AppendLine();
            text.AppendLine("In the negative:");
            foreach (var a in negative) text.AppendLine(CultureInfo.InvariantCulture, $"  {nameOf(a.AccountId)}  {Money(a.Closing)}");
        }
        return ($"aTES daily report {day.Day:yyyy-MM-dd}: earnings {Money(day.ManagementEarnings)}, payouts {Money(day.PayoutsTotal)}", text.ToString());
    }
}
