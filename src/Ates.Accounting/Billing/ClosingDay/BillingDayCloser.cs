using Ates.Accounting.Data;
using Ates.Accounting.Emails;
using Ates.Accounting.Ledger;
using Ates.Contracts;
using Ates.Messaging.DeadLetters;
using Ates.Messaging.Envelope;
using Ates.Messaging.Inbox;
using Ates.Messaging.Outbox;
using Ates.ServiceDefaults.Hosting;
using Microsoft.EntityFrameworkCore;

namespace Ates.Accounting.Billing.ClosingDay;

/// <summary>
/// Closes billing days: payouts of positive balances (each with its transaction.applied), the day's per-account
/// summary, billing.cycle_closed, the next day opened and the emails recorded. A close holds the close guard alone,
/// so it sees every posting into its day committed and none in flight. A crash before the commit leaves nothing; the
/// day's key and the payouts' keys make a second close fail rather than pay twice.
/// </summary>
public sealed class BillingDayCloser(AccountingDb db, LedgerBook ledger, IOutbox outbox, BillingCalendar clock, ILogger<BillingDayCloser> log)
{
    static readonly string TasksSource = EventEnvelope.SourceOf("tasks");
    static readonly string MarkerType = EventRegistry.Default.Describe(typeof(TasksDayClosed)).Type;

    /// <summary>
    /// Closes, in its own transaction and in order, every day whose task events have all been processed. Run after
    /// commits that processed task events or markers (any instance's: it sees what they all committed), at start-up
    /// and now and then. Looks first without the guard, so that while nothing is due it keeps no posting waiting.
    /// </summary>
    public async Task<int> CloseDueDaysAsync(CancellationToken ct)
    {
        if (!await NextIsDueAsync(ct)) return 0;
        db.ChangeTracker.Clear();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await CloseGuard.HoldAloneAsync(db, ct);
        var closed = await CloseWhatIsDueAsync(ct);
        await tx.CommitAsync(ct);
        // Once a day the ledger has grown by a day: the planner's statistics follow it.
        if (closed > 0) await db.RefreshPlannerStatisticsAsync(log, ct);
        return closed;
    }

    /// <summary>In the caller's transaction, which holds the close guard alone: closes the days that are due, in order.</summary>
    public async Task<int> CloseWhatIsDueAsync(CancellationToken ct)
    {
        var closed = 0;
        while (await DueAsync(ct) is var (open, closedBy) && closedBy is not null)
        {
            await CloseAsync(open, closedBy, ct);
            await db.SaveChangesAsync(ct);
            closed++;
        }
        return closed;
    }

    async Task<bool> NextIsDueAsync(CancellationToken ct) => (await DueAsync(ct)).ClosedBy is not null;

    /// <summary>The open day, and how it closes now ("marker", "catch-up"), or null when it waits.</summary>
    async Task<(BillingDay Open, string? ClosedBy)> DueAsync(CancellationToken ct)
    {
        var (open, marker, processed) = await ProgressAsync(ct);
        if (marker is null) return (open, null);
        if (marker.Day != open.Day) return (open, "catch-up");
        if (DayRule.IsComplete(marker, processed)) return (open, "marker");
        log.LogDebug("Day {Day} waits: {Processed} of its {Expected} task events processed", open.Day, processed, marker.TaskEvents);
        return (open, null);
    }

    /// <summary>The open day, the marker it closes by (none yet: null), and how many of its own marker's task events are processed.</summary>
    async Task<(BillingDay Open, DayMarker? Marker, long Processed)> ProgressAsync(CancellationToken ct)
    {
        var open = await BillingDays.OpenDayAsync(db, clock, ct);
        var markers = await db.Markers.AsNoTracking().Where(m => m.Day >= open.Day).ToListAsync(ct);
        if (markers.Count == 0) return (open, null, 0);
        var coveredUpTo = await db.Markers.Where(m => m.Day < open.Day).MaxAsync(m => (long?)m.LastSequence, ct) ?? 0;
        var marker = DayRule.MarkerToClose(open.Day, markers, coveredUpTo);
        if (marker is null || marker.Day != open.Day) return (open, marker, 0);
        var processed = await db.Set<InboxMessage>().LongCountAsync(m => m.Source == TasksSource && m.Type != MarkerType
            && m.Sequence > marker.PreviousSequence && m.Sequence <= marker.LastSequence, ct);
        return (open, marker, processed);
    }

    /// <summary>
    /// The open day when its marker has come but not all of the task events it counts have been processed: how many,
    /// since when, and the dead letters among them (Accounting gave up on them, so the day waits until someone
    /// retries them or an accountant closes it by hand). Null when the day does not wait for events.
    /// </summary>
    public async Task<WaitingDay?> WaitingAsync(CancellationToken ct)
    {
        var (open, marker, processed) = await ProgressAsync(ct);
        if (marker is null || marker.Day != open.Day || DayRule.IsComplete(marker, processed)) return null;
        var letters = await db.Set<DeadLetter>().AsNoTracking().Where(d => d.Source == TasksSource).ToListAsync(ct);
        var holding = letters
            .Where(l => DeadLetter.SequenceIn(l.Body) is var sequence && sequence > marker.PreviousSequence && sequence <= marker.LastSequence)
            .Select(l => new HoldingLetter(l.Id, l.Type, l.Reason)).ToList();
        return new WaitingDay(open.Day, processed, marker.TaskEvents, marker.ReceivedAt, holding);
    }

    /// <summary>Closes the open day in the caller's transaction (which holds the close guard alone).</summary>
    public async Task<DayCloseResult> CloseAsync(BillingDay open, string closedBy, CancellationToken ct)
    {
        if (open.IsClosed) throw new InvalidOperationException($"Day {open.Day} is already closed.");
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var day = open.Day;
        // The balance carried in is the last close's closing balance, so a close costs the same on day 365 as on day 1.
        var lastClosed = await db.Days.Where(d => d.IsClosed && d.Day < day).MaxAsync(d => (DateOnly?)d.Day, ct);
        var opening = lastClosed is { } last
            ? await db.DayAccounts.Where(a => a.Day == last).ToDictionaryAsync(a => a.AccountId, a => a.Closing, ct)
            : [];
        // Only this day's entries: a task event of a later day is not paid yet.
        var earned = await db.Entries.Where(e => e.Day == day && e.AccountId != Account.CompanyId).GroupBy(e => e.AccountId)
            .Select(g => new { g.Key, Sum = g.Sum(e => e.Amount) }).ToDictionaryAsync(x => x.Key, x => x.Sum, ct);
        var accounts = await db.Accounts.Where(a => a.Id != Account.CompanyId).Select(a => a.Id).ToListAsync(ct);
        var result = DayClose.Compute(day, accounts.Select(id => new AccountDayBefore(id, opening.GetValueOrDefault(id), earned.GetValueOrDefault(id))));

        foreach (var paid in result.Paid)
        {
            await ledger.PostAsync(Posting.PayoutKey(day, paid.AccountId), TransactionKind.Payout, paid.AccountId, paid.Paid, null, day, ct);
            db.Emails.Add(NewEmail(day, EmailKind.Payout, paid.AccountId, EmailText.Payout(day, paid.Paid)));
        }
        var names = await db.Users.Where(u => u.Name != "").ToDictionaryAsync(u => u.Id, u => u.Name, ct);
        db.Emails.Add(NewEmail(day, EmailKind.DailyReport, null, EmailText.Report(result.Report(id => names.GetValueOrDefault(id) ?? id.ToString()))));

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
        DayCloseMetrics.RecordClose(closedBy, System.Diagnostics.Stopwatch.GetElapsedTime(started));
        return result;
    }

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
