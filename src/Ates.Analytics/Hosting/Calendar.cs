namespace Ates.Analytics.Hosting;

/// <summary>Today's date in the configured time zone: the day Accounting is posting into.</summary>
public sealed class Calendar(TimeProvider time, AnalyticsOptions options)
{
    readonly TimeZoneInfo _zone = TimeZoneInfo.FindSystemTimeZoneById(options.TimeZone);

    public DateOnly Today => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(time.GetUtcNow(), _zone).DateTime);
}
