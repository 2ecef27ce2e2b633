using Ates.ServiceDefaults.Hosting;
using Ates.Accounting.Billing.ClosingDay;
using Ates.Accounting.Data;
using Ates.Accounting.Hosting;
using Microsoft.EntityFrameworkCore;

namespace Ates.Accounting.Billing;

/// <summary>
/// The open billing day, the day a task event belongs to, and closing what is due. Runs in the caller's transaction;
/// one instance per scope (a consumer's batch, a request), which remembers the open day and the markers it read.
/// </summary>
public sealed class BillingDays(AccountingDb db, BillingCalendar clock, DayCloser closer, ILogger<BillingDays> log)
{
    // Every task event asks for both several times. Looking them up in the change tracker (DbSet.Local scans every
    // tracked entity) and in the database each time was most of a consumer batch's work (benchmark, docs/benchmarks.md).
    BillingDay? _open;
    Dictionary<DateOnly, DayMarker>? _markers;
    DateOnly _markersFrom;

    /// <summary>The one open day; the first ever is today in the billing time zone.</summary>
    public async Task<BillingDay> OpenDayAsync(CancellationToken ct)
    {
        // A close in this scope marks the remembered day closed and adds the next one to the tracker.
        if (_open is { IsClosed: false }) return _open;
        var open = db.Days.Local.FirstOrDefault(d => !d.IsClosed)
            ?? await db.Days.Where(d => !d.IsClosed).OrderBy(d => d.Day).FirstOrDefaultAsync(ct);
        if (open is not null) return _open = open;
        var lastClosed = await db.Days.MaxAsync(d => (DateOnly?)d.Day, ct);
        var day = clock.CurrentDay(lastClosed);
        open = new BillingDay { Day = day, OpenedAt = clock.UtcNow };
        db.Days.Add(open);
        return _open = open;
    }

    /// <summary>
    /// The open day, locked for the caller's transaction: every event handled and every close of one database takes
    /// its turn, so two instances never each count the other's uncommitted event as missing and leave a complete day
    /// open, no posting lands in a day another instance is closing, and no snapshot of a task or user overwrites a
    /// newer one applied at the same time. SQLite has one writer at a time anyway (the
    /// consumer writes its inbox rows first); on PostgreSQL this is <c>SELECT … FOR UPDATE</c>.
    /// </summary>
    public async Task<BillingDay> LockOpenDayAsync(CancellationToken ct)
    {
        if (db.Database.IsNpgsql() && _open is not { IsClosed: false } && !db.Days.Local.Any(d => !d.IsClosed))
        {
            // If another instance closed the day meanwhile, the row no longer matches: lock the day it opened.
            for (var attempt = 0; attempt < 3; attempt++)
            {
                var locked = await db.Days.FromSqlRaw("SELECT * FROM billing_days WHERE \"IsClosed\" = false FOR UPDATE").ToListAsync(ct);
                if (locked.Count > 0) break;
            }
        }
        return await OpenDayAsync(ct);
    }

    /// <summary>The billing day of a task event with this sequence (see <see cref="DayRule.DayOf"/>).</summary>
    public async Task<DateOnly> DayOfAsync(long sequence, BillingDay open, CancellationToken ct) =>
        DayRule.DayOf(sequence, open.Day, await MarkersAsync(open.Day, ct));

    /// <summary>Records Tasks' marker for a day (the caller holds the open day's lock).</summary>
    public async Task AddMarkerAsync(DayMarker marker, CancellationToken ct)
    {
        var markers = await MarkersAsync((await OpenDayAsync(ct)).Day, ct);
        db.Markers.Add(marker);
        markers[marker.Day] = marker;
    }

    /// <summary>
    /// The markers of the open day <paramref name="from"/> and later days, read once per scope (the open day only moves
    /// forward within one). Sound because markers are only written by <see cref="AddMarkerAsync"/> under the open
    /// day's lock, which the callers hold from before the read to their commit (on SQLite, the single write lock): no
    /// other instance can add one meanwhile.
    /// </summary>
    async Task<Dictionary<DateOnly, DayMarker>> MarkersAsync(DateOnly from, CancellationToken ct)
    {
        if (_markers is null || from < _markersFrom)
        {
            _markers = await db.Markers.AsNoTracking().Where(m => m.Day >= from).ToDictionaryAsync(m => m.Day, ct);
            _markersFrom = from;
        }
        return _markers;
    }

    /// <summary>
    /// Closes the open day while its marker's task events have all been processed, then the next one, and so on.
    /// A marker for a later day while the open day has none (Tasks skipped days) closes the open day at once.
    /// </summary>
    public async Task CloseWhatIsDueAsync(CancellationToken ct)
    {
        while (true)
        {
            var open = await OpenDayAsync(ct);
            var marker = (await MarkersAsync(open.Day, ct)).Values.Where(m => m.Day >= open.Day).MinBy(m => m.Day);
            if (marker is null) return;
            if (marker.Day == open.Day)
            {
                var processed = await db.TaskEvents.CountAsync(e => e.Sequence > marker.PreviousSequence && e.Sequence <= marker.LastSequence, ct);
                if (!DayRule.IsComplete(marker, processed))
                {
                    log.LogInformation("Day {Day} waits: {Processed} of its {Expected} task events processed", open.Day, processed, marker.TaskEvents);
                    return;
                }
                await closer.CloseAsync(open, "marker", ct);
            }
            else
            {
                log.LogWarning("Day {Day} has no marker but {Later} has: closing {Day} to catch up", open.Day, marker.Day, open.Day);
                await closer.CloseAsync(open, "catch-up", ct);
            }
            await db.SaveChangesAsync(ct);
        }
    }
}
