using Ates.Accounting.Billing;
using Ates.Accounting.Data;
using Ates.Accounting.Ledger;
using Ates.Accounting.TaskCharges;
using Ates.Contracts;
using Ates.ServiceDefaults.Hosting;
using Microsoft.EntityFrameworkCore;

namespace Ates.Accounting.Accounts;

/// <summary>One line of an account's audit log.</summary>
public sealed record Movement(Guid TransactionId, DateTime At, DateOnly Day, string Kind, decimal Amount, Guid? TaskId, string? JiraId, string? Title);

/// <summary>
/// A popug's account: balance, what the open day earned them so far, and one page of the audit log, newest first
/// (<see cref="AccountQueries.LogPageSize"/> movements; page 1 is the newest).
/// </summary>
public sealed record AccountView(Guid AccountId, string? Name, string? Email, decimal Balance, DateOnly Today, decimal EarnedToday,
    IReadOnlyList<Movement> Log, int Page, bool HasOlder);

public sealed record AccountSummary(Guid AccountId, string? Name, string? Email, string? Role, decimal Balance);

public sealed record DaySummary(DateOnly Day, decimal ManagementEarnings, decimal PayoutsTotal, int AccountsInNegative, string? ClosedBy, DateTime? ClosedAt)
{
    /// <summary>Why it was closed by hand while it waited for task events.</summary>
    public string? CloseReason { get; init; }
}

/// <summary>Management earnings (fees minus rewards) of the open day so far, and of every closed day, newest first.</summary>
public sealed record Earnings(DateOnly Today, decimal ManagementEarningsToday, IReadOnlyList<DaySummary> Days);

/// <summary>
/// What the pages and the API read. A balance is the last closed day's closing balance plus the entries of the days
/// since: what summing every entry would give, at a cost that does not grow with the ledger's history.
/// </summary>
public sealed class AccountQueries(AccountingDb db, BillingCalendar calendar)
{

    public const int LogPageSize = 100;

    public Task<bool> ExistsAsync(Guid id, CancellationToken ct) => db.Accounts.AnyAsync(a => a.Id == id && a.Id != Account.CompanyId, ct);

    public async Task<DateOnly> TodayAsync(CancellationToken ct) => (await BillingDays.OpenDayAsync(db, calendar, ct)).Day;

    /// <summary>Balances of the given accounts (every popug's when null), from the last close on.</summary>
    async Task<Dictionary<Guid, decimal>> BalancesAsync(Guid? account, CancellationToken ct)
    {
        var lastClosed = await db.Days.Where(d => d.IsClosed).MaxAsync(d => (DateOnly?)d.Day, ct) ?? DateOnly.MinValue;
        var closing = await db.DayAccounts.Where(a => a.Day == lastClosed && (account == null || a.AccountId == account))
            .ToDictionaryAsync(a => a.AccountId, a => a.Closing, ct);
        var since = await db.Entries.Where(e => e.Day > lastClosed && e.AccountId != Account.CompanyId && (account == null || e.AccountId == account))
            .GroupBy(e => e.AccountId).Select(g => new { g.Key, Sum = g.Sum(e => e.Amount) }).ToDictionaryAsync(x => x.Key, x => x.Sum, ct);
        foreach (var (id, sum) in since) closing[id] = closing.GetValueOrDefault(id) + sum;
        return closing;
    }

    public async Task<AccountView> AccountAsync(Guid id, CancellationToken ct) => await AccountAsync(id, page: 1, ct);

    public async Task<AccountView> AccountAsync(Guid id, int page, CancellationToken ct)
    {
        var today = await TodayAsync(ct);
        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == id, ct);
        var balance = (await BalancesAsync(id, ct)).GetValueOrDefault(id);
        var earnedToday = await db.Entries.Where(e => e.AccountId == id && e.Day == today && e.Kind != TransactionKind.Payout).SumAsync(e => e.Amount, ct);
        var log = await (from t in db.Transactions
                         where t.AccountId == id
                         join task in db.Tasks on t.TaskId equals task.Id into tasks
                         from task in tasks.DefaultIfEmpty()
                         orderby t.At descending, t.Id descending
                         select new { t.Id, t.At, t.Day, t.Kind, t.Amount, t.TaskId, task.JiraId, task.Title })
            .Skip((page - 1) * LogPageSize).Take(LogPageSize + 1).ToListAsync(ct);
        return new AccountView(id, NonEmpty(user?.Name), NonEmpty(user?.Email), balance, today, earnedToday,
            log.Take(LogPageSize).Select(m => new Movement(m.Id, m.At, m.Day, m.Kind.Name(), m.Amount, m.TaskId, m.JiraId, NonEmpty(m.Title))).ToList(),
            page, HasOlder: log.Count > LogPageSize);
    }

    public async Task<IReadOnlyList<AccountSummary>> AccountsAsync(CancellationToken ct)
    {
        var balances = await BalancesAsync(null, ct);
        var accounts = await (from a in db.Accounts
                              where a.Id != Account.CompanyId
                              join u in db.Users on a.Id equals u.Id into users
                              from u in users.DefaultIfEmpty()
                              select new { a.Id, u.Name, u.Email, Role = (UserRole?)u.Role, Version = (long?)u.EntityVersion }).ToListAsync(ct);
        return accounts
            .Select(a => new AccountSummary(a.Id, NonEmpty(a.Name), NonEmpty(a.Email), a.Version > 0 ? a.Role?.ClaimValue() : null, balances.GetValueOrDefault(a.Id)))
            .OrderBy(a => a.Name ?? "\uffff").ThenBy(a => a.AccountId).ToList();
    }

    public async Task<Earnings> EarningsAsync(CancellationToken ct)
    {
        var today = await TodayAsync(ct);
        // The company's side of the day's fees and rewards.
        var todayEarnings = await db.Entries.Where(e => e.AccountId == Account.CompanyId && e.Day == today && e.Kind != TransactionKind.Payout)
            .SumAsync(e => e.Amount, ct);
        var closed = await db.Days.AsNoTracking().Where(d => d.IsClosed).OrderByDescending(d => d.Day)
            .Select(d => new DaySummary(d.Day, d.ManagementEarnings, d.PayoutsTotal, d.AccountsInNegative, d.ClosedBy, d.ClosedAt) { CloseReason = d.CloseReason })
            .ToListAsync(ct);
        return new Earnings(today, todayEarnings, closed);
    }

    static string? NonEmpty(string? text) => string.IsNullOrEmpty(text) ? null : text;
}
