using Microsoft.Extensions.DependencyInjection;

namespace Ates.ServiceDefaults.Hosting;

/// <summary>
/// The company's billing days: whole days in one time zone (UTC by default). Tasks closes them, Accounting pays out at
/// their end, Analytics reports by them; each reads the zone from its own settings, which must agree.
/// </summary>
public sealed class BillingCalendar(TimeZoneInfo zone, TimeProvider time)
{
    public TimeZoneInfo Zone => zone;

    /// <summary>The day it is now, by the injected clock.</summary>
    public DateOnly Today => DayOf(time.GetUtcNow());

    /// <summary>Now, by the same clock, for time stamps.</summary>
    public DateTime UtcNow => time.GetUtcNow().UtcDateTime;

    /// <summary>
    /// The billing day money is posted into now: today, or, once today was closed early (by hand), the day after the
    /// last closed one.
    /// </summary>
    public DateOnly CurrentDay(DateOnly? lastClosed) => CurrentDay(lastClosed, time.GetUtcNow());

    /// <summary>The billing day money is posted into at <paramref name="instant"/> (see <see cref="CurrentDay(DateOnly?)"/>).</summary>
    public DateOnly CurrentDay(DateOnly? lastClosed, DateTimeOffset instant)
    {
        var day = DayOf(instant);
        return lastClosed is { } last && last >= day ? last.AddDays(1) : day;
    }

    public DateOnly DayOf(DateTimeOffset instant) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, zone).DateTime);

    /// <summary>The instant <paramref name="day"/> ends: the next local midnight (or the first valid time after it).</summary>
    public DateTimeOffset EndOf(DateOnly day)
    {
        var midnight = day.AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        while (zone.IsInvalidTime(midnight)) midnight = midnight.AddMinutes(30); // a clock jumped over midnight
        return new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(midnight, zone), TimeSpan.Zero);
    }

    /// <summary>The zone of an IANA (or Windows) id; a readable error naming <paramref name="setting"/> otherwise.</summary>
    public static TimeZoneInfo ZoneOf(string id, string setting) =>
        TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) ? zone
            : throw new InvalidOperationException($"{setting} '{id}' is not a known time zone (an IANA id such as 'UTC' or 'Europe/Moscow').");
}

public static class BillingCalendarRegistration
{
    /// <summary>The calendar of <paramref name="timeZone"/>, checked now (a typo stops the start), on the registered TimeProvider.</summary>
    public static IServiceCollection AddBillingCalendar(this IServiceCollection services, string timeZone, string setting)
    {
        var zone = BillingCalendar.ZoneOf(timeZone, setting);
        return services.AddSingleton(sp => new BillingCalendar(zone, sp.GetRequiredService<TimeProvider>()));
    }
}
