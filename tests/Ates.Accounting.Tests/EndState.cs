using Ates.Accounting.Data;
using Microsoft.EntityFrameworkCore;
using Ates.Accounting.Billing;
using Ates.Accounting.Emails;
using Ates.Accounting.Ledger;
using Ates.Accounting.TaskCharges;

namespace Ates.Accounting.Tests;

/// <summary>What a user would check after a day, as one text two runs can be compared by.</summary>
public static class EndState
{
    /// <summary>Days, per-account days, balances, every transaction, the emails and the tasks' prices (ids and times left out).</summary>
    public static async Task<string> DescribeAsync(AccountingDb db)
    {
        var days = (await db.Days.AsNoTracking().ToListAsync()).OrderBy(d => d.Day)
            .Select(d => $"day {d.Day} closed={d.IsClosed} earnings={M(d.ManagementEarnings)} payouts={M(d.PayoutsTotal)} negative={d.AccountsInNegative}");
        var accounts = (await db.DayAccounts.AsNoTracking().ToListAsync()).OrderBy(a => a.Day).ThenBy(a => a.AccountId)
            .Select(a => $"{a.Day} {a.AccountId} {M(a.Opening)}+{M(a.Earned)}-{M(a.Paid)}={M(a.Closing)}");
        var balances = (await db.Entries.AsNoTracking().ToListAsync()).GroupBy(e => e.AccountId).OrderBy(g => g.Key)
            .Select(g => $"balance {g.Key} {M(g.Sum(e => e.Amount))}");
        var transactions = (await db.Transactions.AsNoTracking().ToListAsync())
            .Select(t => $"{t.Day} {t.Kind} {t.AccountId} {M(t.Amount)} {t.TaskId}").Order();
        var emails = (await db.Emails.AsNoTracking().ToListAsync()).Select(e => $"{e.Day} {e.Kind} {e.RecipientId} {e.Subject}").Order();
        var tasks = (await db.Tasks.AsNoTracking().ToListAsync()).OrderBy(t => t.Id).Select(t => $"task {t.Id} {t.Title} {t.JiraId} {M(t.AssignFee)}/{M(t.Reward)}");
        return string.Join('\n', days.Concat(accounts).Concat(balances).Concat(transactions).Concat(emails).Concat(tasks));
    }

    /// <summary>Amounts to the cent, whatever scale the provider returns (SQLite 32.0, PostgreSQL 32.00).</summary>
    static string M(decimal amount) => amount.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture);
}
