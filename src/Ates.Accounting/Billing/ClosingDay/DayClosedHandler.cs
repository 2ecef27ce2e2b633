using Ates.Accounting.Data;
using Ates.Contracts;
using Ates.Messaging.Inbox;
using Ates.ServiceDefaults.Hosting;

namespace Ates.Accounting.Billing.ClosingDay;

/// <summary>
/// tasks.day_closed: records the marker. The day closes after the commit, once its task events are all processed
/// (<see cref="DayCloseAfterCommit"/>). Markers of days already closed are kept too: they tell which sequences the
/// closed days covered (<see cref="DayRule.MarkerToClose"/>). A second marker for a day changes nothing.
/// </summary>
public sealed class DayClosedHandler(AccountingDb db, BillingCalendar clock, ILogger<DayClosedHandler> log) : IEventHandler<TasksDayClosed>
{
    public async Task HandleAsync(TasksDayClosed e, EventContext context, CancellationToken ct)
    {
        if (await db.Markers.FindAsync([e.Day], ct) is not null)
        {
            log.LogInformation("A second marker for {Day} ignored", e.Day);
            return;
        }
        db.Markers.Add(new DayMarker
        {
            Day = e.Day, LastSequence = e.LastSequence, PreviousSequence = e.PreviousSequence, TaskEvents = e.TaskEvents, ReceivedAt = clock.UtcNow,
        });
    }
}
