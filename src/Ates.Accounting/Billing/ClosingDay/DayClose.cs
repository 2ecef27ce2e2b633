using Ates.Accounting.Emails;
using Ates.Contracts;

namespace Ates.Accounting.Billing.ClosingDay;

/// <summary>An account's day before the close: the balance carried in and what the day's fees and rewards added.</summary>
public sealed record AccountDayBefore(Guid AccountId, decimal Opening, decimal Earned);

/// <summary>What a close decides, free of I/O.</summary>
public sealed record DayCloseResult(DateOnly Day, IReadOnlyList<BillingCycleClosed.AccountCycle> Accounts)
{
    /// <summary>Fees minus rewards of the day: what the popugs' accounts lost is what the company gained.</summary>
    public decimal ManagementEarnings => -Accounts.Sum(a => a.Earned);

    public decimal PayoutsTotal => Accounts.Sum(a => a.Paid);

    public int AccountsInNegative => Accounts.Count(a => a.Closing < 0);

    public IEnumerable<BillingCycleClosed.AccountCycle> Paid => Accounts.Where(a => a.Paid > 0);

    public BillingCycleClosed ToEvent() => new(Day, ManagementEarnings, PayoutsTotal, AccountsInNegative, Accounts);

    /// <summary>The management's report of this close; <paramref name="nameOf"/> names an account's popug.</summary>
    public DailyReport Report(Func<Guid, string> nameOf) => new(Day, ManagementEarnings, PayoutsTotal, AccountsInNegative,
        [.. Paid.Select(a => (nameOf(a.AccountId), a.Paid))],
        [.. Accounts.Where(a => a.Closing < 0).Select(a => (nameOf(a.AccountId), a.Closing))]);
}

public static class DayClose
{
    /// <summary>A positive balance is paid out to zero; a negative one (or zero) carries over unchanged.</summary>
    public static DayCloseResult Compute(DateOnly day, IEnumerable<AccountDayBefore> accounts) =>
        new(day, accounts.OrderBy(a => a.AccountId).Select(a =>
        {
            var balance = a.Opening + a.Earned;
            var paid = balance > 0 ? balance : 0m;
            return new BillingCycleClosed.AccountCycle(a.AccountId, a.Opening, a.Earned, paid, balance - paid);
        }).ToList());
}
