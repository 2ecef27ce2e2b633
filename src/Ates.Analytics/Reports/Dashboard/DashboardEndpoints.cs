using Ates.Analytics.Data;
using Ates.Analytics.Hosting;
using Ates.Analytics.Reports.Earnings;
using Ates.Analytics.Reports.History;
using Ates.Analytics.Reports.MostExpensiveTask;
using Ates.Analytics.Reports.NegativeBalances;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ates.Analytics.Reports.Dashboard;

public static class DashboardEndpoints
{
    /// <summary>GET / ?date= (the "any day" panel) &amp;from=&amp;to= (the range of the history and its most expensive task).</summary>
    public static void MapDashboard(this RouteGroupBuilder pages) =>
        pages.MapGet("/", async (string? date, string? from, string? to, AnalyticsDb db, Calendar calendar, CancellationToken ct) =>
        {
            var today = await calendar.TodayAsync(db, ct);
            var errors = new Dictionary<string, string[]>();
            var chosen = PeriodQuery.Date(date, "date", errors, required: false) ?? today;
            var (range, rangeErrors) = HistoryEndpoints.Range(from, to, today);
            foreach (var (key, value) in rangeErrors) errors[key] = value;
            if (range is not { } r || errors.Count > 0)
                return new RazorComponentResult<DashboardPage>(new { Error = string.Join(" ", errors.Values.SelectMany(e => e)) }) { StatusCode = StatusCodes.Status400BadRequest };

            var periods = new[] { Period.Day(today), Period.WeekOf(today), Period.MonthOf(today), r };
            var tops = new List<MostExpensiveView>();
            foreach (var p in periods) tops.Add(MostExpensiveEndpoints.View(p, await db.MostExpensiveAsync(p, ct), today.Year));
            var history = await db.HistoryAsync(r, ct);
            var model = new DashboardModel(
                today,
                (await db.DayTotalsAsync(Period.Day(today), ct))[0],
                await db.InNegativeAsync(today, ct),
                (await db.DayTotalsAsync(Period.Day(chosen), ct))[0],
                tops,
                r,
                history,
                EarningsChart.Render(history.Select(d => (d.Day, d.Totals.ManagementEarnings)).ToList()));
            return new RazorComponentResult<DashboardPage>(new { Model = model });
        });
}
