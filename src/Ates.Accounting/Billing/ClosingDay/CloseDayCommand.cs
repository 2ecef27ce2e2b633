using Ates.Accounting.Data;
using Ates.ServiceDefaults.Hosting;

namespace Ates.Accounting.Billing.ClosingDay;

/// <summary>The outcome of "close the day now": the closed day's figures, or why nothing changed.</summary>
public sealed record CloseDayOutcome(DayCloseResult? Closed, DateOnly OpenDay)
{
    public bool Refused => Closed is null;
}

/// <summary>
/// "Close the day now" (admins and accountants): closes the open day at once with what has been processed so far,
/// without waiting for Tasks' marker; task events of that day that arrive later are posted to the next open day. The
/// caller names the day it means to close, so a repeated click (or a close that already happened) is refused
/// instead of closing the next day too.
/// </summary>
public sealed class CloseDayCommand(AccountingDb db, BillingCalendar clock, DayCloser closer)
{
    public async Task<CloseDayOutcome> CloseAsync(DateOnly day, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        // Before reading: a concurrent close or posting transaction waits for this one instead of racing it.
        await CloseGuard.HoldAloneAsync(db, ct);
        var open = await BillingDays.OpenDayAsync(db, clock, ct);
        if (open.Day != day) return new CloseDayOutcome(null, open.Day);
        var result = await closer.CloseAsync(open, "manual", ct);
        await db.SaveChangesAsync(ct);
        // The next day's marker may already be complete.
        await closer.CloseWhatIsDueAsync(ct);
        await tx.CommitAsync(ct);
        return new CloseDayOutcome(result, day.AddDays(1));
    }
}
