namespace Ates.Accounting.Billing;

/// <summary>
/// The spec's corner case, free of I/O: which billing day a movement belongs to, and when a day may close.
/// Tasks names the billing day of each task event; its marker for day D says D's task events are those with a
/// sequence in (PreviousSequence, LastSequence], TaskEvents of them. Nothing here depends on the order in which
/// Accounting receives events: an event of D+1 handled before D's marker still belongs to D+1.
/// </summary>
public static class DayRule
{
    /// <summary>
    /// The day a task event's movement is posted to: the day Tasks wrote it in (an event of an older version, which
    /// names none, by its time), or the open day if that day is closed already — closed by hand before the event came,
    /// or before Accounting's first day. Money is never posted into a closed day: its payouts are made.
    /// </summary>
    public static DateOnly PostingDay(DateOnly? billingDay, DateOnly dayOfEventTime, DateOnly openDay)
    {
        var day = billingDay ?? dayOfEventTime;
        return day < openDay ? openDay : day;
    }

    /// <summary>Every task event of the marker's day has been processed: a count, because the sequence may have gaps.</summary>
    public static bool IsComplete(DayMarker marker, long processedInRange) => processedInRange >= marker.TaskEvents;

    /// <summary>
    /// The marker by which the open day closes next, among the markers of it and later days: its own; or, when Tasks
    /// never had that day (its first day came later), the first later marker whose range starts where the markers of
    /// days before the open one end (<paramref name="coveredUpTo"/>, their highest LastSequence) — no task event lies
    /// between. Null while the open day must wait: for its marker, or for the marker of a day between it and a later
    /// one that came first.
    /// </summary>
    public static DayMarker? MarkerToClose(DateOnly openDay, IReadOnlyCollection<DayMarker> markersFromOpenDay, long coveredUpTo)
    {
        if (markersFromOpenDay.FirstOrDefault(m => m.Day == openDay) is { } own) return own;
        var next = markersFromOpenDay.Where(m => m.Day > openDay).MinBy(m => m.Day);
        return next is not null && next.PreviousSequence <= coveredUpTo ? next : null;
    }
}
