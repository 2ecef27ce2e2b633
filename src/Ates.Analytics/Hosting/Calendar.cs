using Ates.ServiceDefaults.Hosting;
using Microsoft.EntityFrameworkCore;

namespace Ates.Analytics.Hosting;

/// <summary>The billing day Analytics calls "today": the day Accounting is posting into.</summary>
public sealed class Calendar(BillingCalendar days)
{
    public DateOnly Today => days.Today;

    /// <summary>Today by the clock or, once today was closed early (by hand), the day after the last closed one — as Accounting counts it.</summary>
    public async Task<DateOnly> TodayAsync(Data.AnalyticsDb db, CancellationToken ct) =>
        days.CurrentDay(await db.ClosedDays.MaxAsync(d => (DateOnly?)d.Day, ct));
}
