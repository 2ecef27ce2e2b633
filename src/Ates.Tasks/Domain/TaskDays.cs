namespace Ates.Tasks.Domain;

/// <summary>Which billing day Tasks counts events into (the days themselves: <c>BillingCalendar</c>).</summary>
public static class TaskDays
{
    /// <summary>
    /// The day still open: the one after the last closed day; before any close, the day of the first task event, or
    /// today when there is none yet.
    /// </summary>
    public static DateOnly OpenDay(DateOnly? lastClosed, DateOnly? firstEventDay, DateOnly today) =>
        lastClosed?.AddDays(1) ?? firstEventDay ?? today;
}
