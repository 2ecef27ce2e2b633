using Ates.ServiceDefaults.Hosting;
using Ates.Accounting.Data;
using Ates.Accounting.Hosting;
using Ates.Contracts;
using Ates.Messaging.Inbox;

namespace Ates.Accounting.Billing.ClosingDay;

/// <summary>
/// tasks.day_closed: records the marker, then closes the day if its task events are all processed (or later, when
/// the last of them arrives). A marker for a day already closed (by hand, or a second marker) changes nothing.
/// </summary>
public sealed class DayClosedHandler(AccountingDb db, BillingDays days, BillingCalendar clock, ILogger<DayClosedHandler> log)
    : IEventHandler<TasksDayClosed>
{
    public async Task HandleAsync(TasksDayClosed e, EventContext context, CancellationToken ct)
    {
        var open = await days.LockOpenDayAsync(ct);
        if (e.Day < open.Day)
        {
            log.LogInformation("Marker for {Day} ignored: the day is already closed (the open day is {Open})", e.Day, open.Day);
            return;
        }
        if (await db.Markers.FindAsync([e.Day], ct) is not null)
        {
            log.LogInformation("A second marker for {Day} ignored", e.Day);
            return;
        }
        await days.AddMarkerAsync(new DayMarker
        {
            Day = e.Day, LastSequence = e.LastSequence, PreviousSequence = e.PreviousSequence, TaskEvents = e.TaskEvents, ReceivedAt = clock.UtcNow,
        }, ct);
        open.Version++; // serialised with the task events of other instances (see TaskEventHandlers)
        await db.SaveChangesAsync(ct);
        await days.CloseWhatIsDueAsync(ct);
    }
}
