using Ates.Accounting.Data;
using Ates.ServiceDefaults.Hosting;
using Microsoft.EntityFrameworkCore;

namespace Ates.Accounting.Billing;

/// <summary>
/// The open billing day and the day each movement is posted to, for one scope (a consumer batch, a request). No
/// posting locks or changes the open day's row: the first posting of a scope takes the close guard shared
/// (<see cref="CloseGuard"/>) and reads the open day once; no close can happen before the scope commits.
/// </summary>
public sealed class BillingDays(AccountingDb db, BillingCalendar calendar)
{
    BillingDay? _open;

    /// <summary>The open day as postings see it: read once per scope, under the close guard.</summary>
    public async Task<BillingDay> OpenDayForPostingAsync(CancellationToken ct)
    {
        if (_open is not null) return _open;
        await CloseGuard.ShareAsync(db, ct);
        return _open = await OpenDayAsync(db, calendar, ct);
    }

    /// <summary>The day a task event's movement is posted to (<see cref="DayRule.PostingDay"/>).</summary>
    public async Task<DateOnly> PostingDayAsync(DateOnly? billingDay, DateTimeOffset eventTime, CancellationToken ct) =>
        DayRule.PostingDay(billingDay, calendar.DayOf(eventTime), (await OpenDayForPostingAsync(ct)).Day);

    /// <summary>The one open day; the first ever is today in the billing time zone (added to the context, not saved).</summary>
    public static async Task<BillingDay> OpenDayAsync(AccountingDb db, BillingCalendar calendar, CancellationToken ct)
    {
        var open = db.Days.Local.FirstOrDefault(d => !d.IsClosed)
            ?? await db.Days.Where(d => !d.IsClosed).OrderBy(d => d.Day).FirstOrDefaultAsync(ct);
        if (open is not null) return open;
        var lastClosed = await db.Days.MaxAsync(d => (DateOnly?)d.Day, ct);
        open = new BillingDay { Day = calendar.CurrentDay(lastClosed), OpenedAt = calendar.UtcNow };
        db.Days.Add(open);
        return open;
    }
}
