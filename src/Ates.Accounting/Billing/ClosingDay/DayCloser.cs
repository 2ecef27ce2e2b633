using Ates.ServiceDefaults.Hosting;
using Ates.Accounting.Data;
using Ates.Accounting.Emails;
using Ates.Accounting.Hosting;
using Ates.Accounting.Ledger;
using Ates.Contracts;
using Ates.Messaging.Outbox;
using Microsoft.EntityFrameworkCore;

namespace Ates.Accounting.Billing.ClosingDay;

/// <summary>
/// Closes one billing day in the caller's transaction: payouts of positive balances (each with its
/// transaction.applied), the day's per-account summary, billing.cycle_closed, the next day opened and the emails
/// recorded. A crash before the commit leaves nothing; the day's key and the payouts' keys make a second close fail
/// rather than pay twice.
/// </summary>
public sealed class DayCloser(AccountingDb db, LedgerBook ledger, IOutbox outbox, BillingCalendar clock, ILogger<DayCloser> log)
{
    public async Task<DayCloseResult> CloseAsync(BillingDay open, string closedBy, CancellationToken ct)
    {
        if (open.IsClosed) throw new InvalidOperationException($"Day {open.Day} is already closed.");
        var day = open.Day;
        // Only entries of this day and before: a task event already known to belong to the next day is not paid yet.
        var opening = await SumsAsync(db.Entries.Where(e => e.Day < day), ct);
        var earned = await SumsAsync(db.Entries.Where(e => e.Day == day), ct);
        var accounts = await db.Accounts.Where(a => a.Id != Account.CompanyId).Select(a => a.Id).ToListAsync(ct);
        var result = DayClose.Compute(day, accounts.Select(id => new AccountDayBefore(id, opening.GetValueOrDefault(id), earned.GetValueOrDefault(id))));

        foreach (var paid in result.Paid)
        {
            await ledger.PostAsync(Posting.PayoutKey(day, paid.AccountId), TransactionKind.Payout, paid.AccountId, paid.Paid, null, day, open, ct);
            db.Emails.Add(NewEmail(day, EmailKind.Payout, paid.AccountId, EmailText.Payout(day, paid.Paid)));
        }
        var names = await db.Users.Where(u => u.Name != "").ToDictionaryAsync(u => u.Id, u => u.Name, ct);
        db.Emails.Add(NewEmail(day, EmailKind.DailyReport, null, EmailText.DailyReport(result, id => names.GetValueOrDefault(id) ?? id.ToString())));

        open.IsClosed = true;
        open.ClosedAt = clock.UtcNow;
        open.ClosedBy = closedBy;
        open.ManagementEarnings = result.ManagementEarnings;
        open.PayoutsTotal = result.PayoutsTotal;
        open.AccountsInNegative = result.AccountsInNegative;
        open.Version++;
        db.DayAccounts.AddRange(result.Accounts.Select(a => new DayAccount
            { Day = day, AccountId = a.AccountId, Opening = a.Opening, Earned = a.Earned, Paid = a.Paid, Closing = a.Closing }));
        outbox.Add(result.ToEvent(), day.ToString("yyyy-MM-dd"));
        db.Days.Add(new BillingDay { Day = day.AddDays(1), OpenedAt = clock.UtcNow });

        log.LogInformation("Closing day {Day} ({By}): earnings {Earnings}, paid {Paid} to {Count} popugs, {Negative} in the negative",
            day, closedBy, result.ManagementEarnings, result.PayoutsTotal, result.Paid.Count(), result.AccountsInNegative);
        return result;
    }

    static async Task<Dictionary<Guid, decimal>> SumsAsync(IQueryable<LedgerEntry> entries, CancellationToken ct) =>
        await entries.Where(e => e.AccountId != Account.CompanyId).GroupBy(e => e.AccountId)
            .Select(g => new { g.Key, Sum = g.Sum(e => e.Amount) }).ToDictionaryAsync(x => x.Key, x => x.Sum, ct);

    Email NewEmail(DateOnly day, EmailKind kind, Guid? recipient, (string Subject, string Body) text) => new()
    {
        Id = Guid.CreateVersion7(),
        Day = day,
        Kind = kind,
        RecipientId = recipient,
        Subject = text.Subject,
        Body = text.Body,
        CreatedAt = clock.UtcNow,
    };
}
