namespace Ates.Accounting.Billing;

/// <summary>
/// Which billing day a task event belongs to, and when a day may close — the spec's corner case, free of I/O.
/// Tasks serialises its task event writes, so their sequences follow commit order, and its marker for day D says
/// D's task events are those with sequence in (PreviousSequence, LastSequence], TaskEvents of them.
/// </summary>
public static class DayRule
{
    /// <summary>
    /// The open day, unless a marker already says the event came after it: then the next day (and so on while
    /// markers for those days are known too). An event of D+1 that arrives before D's marker itself is posted to D.
    /// </summary>
    public static DateOnly DayOf(long sequence, DateOnly openDay, IReadOnlyDictionary<DateOnly, DayMarker> markers)
    {
        var day = openDay;
        while (markers.TryGetValue(day, out var marker) && sequence > marker.LastSequence) day = day.AddDays(1);
        return day;
    }

    /// <summary>Every task event of the marker's day has been processed: a count, because the sequence may have gaps.</summary>
    public static bool IsComplete(DayMarker marker, long processedInRange) => processedInRange >= marker.TaskEvents;
}
