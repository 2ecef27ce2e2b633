using Microsoft.EntityFrameworkCore;

namespace Ates.Analytics.Hosting;

/// <summary>Today's date in the configured time zone: the day Accounting is posting into.</summary>
public sealed class Calendar(TimeProvider time, AnalyticsOptions options)
{
    readonly TimeZoneInfo _zone = TimeZoneInfo.FindSystemTimeZoneById(options.TimeZone);

    public DateOnly Today => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(time.GetUtcNow(), _zone).DateTime);

    /// <summary>
    /// The billing day money is posted into now: today by the clock, or, once today was closed early (by hand), the
    /// day after the last closed one — as Accounting counts it.
    /// </summary>
    public async Task<DateOnly> TodayAsync(Data.AnalyticsDb db, CancellationToken ct)
    {
        var lastClosed = await db.ClosedDays.MaxAsync(d => (DateOnly?)d.Day, ct);
        return lastClosed is { } closed && closed >= Today ? closed.AddDays(1) : Today;
    }
}
