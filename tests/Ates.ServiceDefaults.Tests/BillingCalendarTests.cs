using Ates.ServiceDefaults.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace Ates.ServiceDefaults.Tests;

/// <summary>The billing days every service shares: local days in the configured zone.</summary>
public sealed class BillingCalendarTests
{
    static BillingCalendar In(string zone, DateTimeOffset now) => new(BillingCalendar.ZoneOf(zone, "Test:TimeZone"), new FakeTimeProvider(now));

    [Fact]
    public void Days_end_at_local_midnight_and_today_is_the_local_date()
    {
        var evening = new DateTimeOffset(2026, 3, 3, 20, 0, 0, TimeSpan.Zero);
        var moscow = In("Europe/Moscow", evening);
        Assert.Equal(new DateTimeOffset(2026, 3, 3, 21, 0, 0, TimeSpan.Zero), moscow.EndOf(new DateOnly(2026, 3, 3)));
        Assert.Equal(new DateOnly(2026, 3, 4), moscow.DayOf(new DateTimeOffset(2026, 3, 3, 21, 0, 0, TimeSpan.Zero)));
        Assert.Equal(new DateOnly(2026, 3, 3), moscow.Today);
        Assert.Equal(new DateTimeOffset(2026, 3, 4, 0, 0, 0, TimeSpan.Zero), In("UTC", evening).EndOf(new DateOnly(2026, 3, 3)));
        Assert.Equal(new DateOnly(2026, 3, 3), In("UTC", evening).Today);
        Assert.Equal(new DateOnly(2026, 3, 4), In("Asia/Tokyo", evening).Today);
        Assert.Equal(evening.UtcDateTime, In("Asia/Tokyo", evening).UtcNow);
    }

    [Fact]
    public void A_day_closed_early_moves_posting_on_to_the_next_day()
    {
        var utc = In("UTC", new DateTimeOffset(2026, 3, 3, 20, 0, 0, TimeSpan.Zero));
        Assert.Equal(new DateOnly(2026, 3, 3), utc.CurrentDay(null));
        Assert.Equal(new DateOnly(2026, 3, 3), utc.CurrentDay(new DateOnly(2026, 3, 2)));
        Assert.Equal(new DateOnly(2026, 3, 4), utc.CurrentDay(new DateOnly(2026, 3, 3)));
        Assert.Equal(new DateOnly(2026, 3, 5), utc.CurrentDay(new DateOnly(2026, 3, 4)));
    }

    [Fact]
    public void An_unknown_zone_is_refused_with_the_setting_named()
    {
        var refused = Assert.Throws<InvalidOperationException>(() => BillingCalendar.ZoneOf("Mars/Olympus", "Accounting:TimeZone"));
        Assert.Contains("Accounting:TimeZone 'Mars/Olympus'", refused.Message);
    }
}
