namespace Ates.Accounting.Hosting;

/// <summary>The calendar of billing days: today in the configured time zone, by the injected clock.</summary>
public sealed class BillingClock(TimeProvider time, AccountingOptions options)
{
    readonly TimeZoneInfo _zone = TimeZoneInfo.FindSystemTimeZoneById(options.TimeZone);

    public DateTime UtcNow => time.GetUtcNow().UtcDateTime;

    public DateOnly Today => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(time.GetUtcNow(), _zone).DateTime);
}
