using System.Diagnostics;
using Ates.ServiceDefaults.Hosting;
using Ates.Accounting.Billing;
using Ates.Accounting.Data;
using Ates.Contracts;
using Ates.Messaging.Outbox;

namespace Ates.Accounting.Ledger;

/// <summary>Posts money movements: the transaction, its two entries and its transaction.applied, in the caller's transaction.</summary>
public sealed class LedgerBook(AccountingDb db, IOutbox outbox, BillingCalendar clock)
{
    /// <summary>A span for each posting, in the trace of what caused it (a task event's, an accountant's request).</summary>
    public static readonly ActivitySource Activities = new("Ates.Accounting");

    /// <summary>
    /// Posts <paramref name="amount"/> (positive; its sign comes from <paramref name="kind"/>) to the popug's account,
    /// into billing day <paramref name="day"/> (an open one: see <see cref="BillingDays.PostingDayAsync"/>).
    /// </summary>
    public async Task<LedgerTransaction> PostAsync(string key, TransactionKind kind, Guid accountId, decimal amount, Guid? taskId,
        DateOnly day, CancellationToken ct)
    {
        using var activity = Activities.StartActivity($"post {kind.Name()}");
        activity?.SetTag("ates.account.id", accountId);
        activity?.SetTag("ates.task.id", taskId);
        activity?.SetTag("ates.billing_day", day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        await EnsureAccountAsync(accountId, ct);
        var transaction = new LedgerTransaction
        {
            Id = Guid.CreateVersion7(),
            Key = key,
            Kind = kind,
            AccountId = accountId,
            Amount = Posting.SignedAmount(kind, amount),
            TaskId = taskId,
            Day = day,
            At = clock.UtcNow,
        };
        var (popug, company) = Posting.Entries(transaction);
        db.Transactions.Add(transaction);
        db.Entries.AddRange(popug, company);
        outbox.Add(new TransactionApplied(transaction.Id, accountId, kind, transaction.Amount, taskId, day), accountId.ToString());
        return transaction;
    }

    public async Task<Account> EnsureAccountAsync(Guid id, CancellationToken ct)
    {
        if (await db.Accounts.FindAsync([id], ct) is { } account) return account;
        account = new Account { Id = id, OpenedAt = clock.UtcNow };
        db.Accounts.Add(account);
        return account;
    }
}
