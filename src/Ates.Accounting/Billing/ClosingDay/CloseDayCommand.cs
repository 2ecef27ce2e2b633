using Ates.Accounting.Data;
using Ates.ServiceDefaults.Hosting;

namespace Ates.Accounting.Billing.ClosingDay;

/// <summary>The outcome of "close the day now": the closed day's figures, or why nothing changed.</summary>
public sealed record CloseDayOutcome(DayCloseResult? Closed, DateOnly OpenDay)
{
    public bool Refused => Closed is null;

    /// <summary>Set when the day waits for task events and no reason was given: nothing was closed.</summary>
    public WaitingDay? NeedsReason { get; init; }
}

/// <summary>
/// "Close the day now" (admins and accountants): closes the open day at once with what has been processed so far,
/// without waiting for Tasks' marker; task events of that day that arrive later are posted to the next open day. The
/// caller names the day it means to close, so a repeated click (or a close that already happened) is refused
/// instead of closing the next day too. A day whose marker has come but whose task events are not all processed
/// (some dead-lettered) closes only with a reason, which the day keeps.
/// </summary>
public sealed class CloseDayCommand(AccountingDb db, BillingCalendar clock, BillingDayCloser closer)
{
    public async Task<CloseDayOutcome> CloseAsync(DateOnly day, string? reason, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        // Before reading: a concurrent close or posting transaction waits for this one instead of racing it.
        await CloseGuard.HoldAloneAsync(db, ct);
        var open = await BillingDays.OpenDayAsync(db, clock, ct);
        if (open.Day != day) return new CloseDayOutcome(null, open.Day);
        var waiting = await closer.WaitingAsync(ct);
        if (waiting is not null && string.IsNullOrWhiteSpace(reason)) return new CloseDayOutcome(null, open.Day) { NeedsReason = waiting };
        open.CloseReason = string.IsNullOrWhiteSpace(reason) ? null : reason.Trim();
        var result = await closer.CloseAsync(open, "manual", ct);
        await db.SaveChangesAsync(ct);
        // The next day's marker may already be complete.
        await closer.CloseWhatIsDueAsync(ct);
        await tx.CommitAsync(ct);
        return new CloseDayOutcome(result, day.AddDays(1));
    }

    /// <summary>Why a reason cannot be taken, or null.</summary>
    public static string? ReasonProblem(string? reason) =>
        reason is { Length: > BillingDay.CloseReasonLength } ? $"The reason is at most {BillingDay.CloseReasonLength} characters." : null;

    public static string NeedsReasonText(WaitingDay waiting) =>
        $"{waiting.Describe()}. Closing it now pays out without the missing events (they are posted to the next day if they come): say why.";
}
