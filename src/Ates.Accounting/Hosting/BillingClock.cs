namespace Ates.Accounting.Hosting;

/// <summary>The calendar of billing days: today in the configured time zone, by the injected clock.</summary>
public sealed class BillingClock(TimeProvider time, AccountingOptions options)
{
    readonly TimeZoneInfo _zone = Zone(options.TimeZone);

    public DateTime UtcNow => time.GetUtcNow().UtcDateTime;

    public DateOnly Today => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(time.GetUtcNow(), _zone).DateTime);

    static TimeZoneInfo Zone(string id) =>
        TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) ? zone
            : throw new InvalidOperationException($"Accounting:TimeZone '{id}' is not a known time zone (an IANA id such as 'UTC' or 'Europe/Moscow').");
}
