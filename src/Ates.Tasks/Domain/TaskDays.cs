namespace Ates.Tasks.Domain;

/// <summary>The calendar of billing days: whole days in one time zone (UTC by default).</summary>
public sealed class TaskDays(TimeZoneInfo zone)
{
    public TimeZoneInfo Zone { get; } = zone;

    public static TaskDays For(string timeZoneId) => new(TimeZoneInfo.FindSystemTimeZoneById(timeZoneId));

    public DateOnly DayOf(DateTimeOffset instant) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, Zone).DateTime);

    /// <summary>The instant <paramref name="day"/> ends: the next local midnight (or the first valid time after it).</summary>
    public DateTimeOffset EndOf(DateOnly day)
    {
        var midnight = day.AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        while (Zone.IsInvalidTime(midnight)) midnight = midnight.AddMinutes(30); // a clock jumped over midnight
        return new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(midnight, Zone), TimeSpan.Zero);
    }

    /// <summary>
    /// The day still open: the one after the last closed day; before any close, the day of the first task event, or
    /// today when there is none yet.
    /// </summary>
    public static DateOnly OpenDay(DateOnly? lastClosed, DateOnly? firstEventDay, DateOnly today) =>
        lastClosed?.AddDays(1) ?? firstEventDay ?? today;
}
