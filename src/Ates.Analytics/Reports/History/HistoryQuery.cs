using Ates.Analytics.Data;
using Ates.Analytics.Reports.Earnings;
using Ates.Analytics.Reports.MostExpensiveTask;
using Ates.Analytics.Reports.NegativeBalances;
using Microsoft.EntityFrameworkCore;

namespace Ates.Analytics.Reports.History;

/// <summary>
/// One day of the history: its money, how many popugs ended it in the negative, its most expensive task, and
/// Accounting's own figures once it closed the day (null before).
/// </summary>
public sealed record HistoryDay(DayTotals Totals, int InNegative, PricedTask? MostExpensive, ClosedDayFact? Closed)
{
    public DateOnly Day => Totals.Day;

    /// <summary>Accounting closed the day with other earnings than the postings Analytics holds: events are still on the way.</summary>
    public bool DiffersFromAccounting => Closed is not null && Money.FromCents(Closed.ManagementEarningsCents) != Totals.ManagementEarnings;
}

public static class HistoryQuery
{
    public static async Task<IReadOnlyList<HistoryDay>> HistoryAsync(this AnalyticsDb db, Period period, CancellationToken ct)
    {
        var totals = await db.DayTotalsAsync(period, ct);
        var negative = (await db.InNegativeByDayAsync(period, ct)).ToDictionary(x => x.Day, x => x.InNegative);
        var top = await db.MostExpensiveByDayAsync(period, ct);
        var closed = await db.ClosedDays.AsNoTracking().Where(d => d.Day >= period.From && d.Day <= period.To).ToDictionaryAsync(d => d.Day, ct);
        return totals.Select(t => new HistoryDay(t, negative[t.Day], top.GetValueOrDefault(t.Day), closed.GetValueOrDefault(t.Day))).ToList();
    }
}
