using Ates.Analytics.Data;
using Ates.Analytics.Hosting;
using Ates.Analytics.Reports.Earnings;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ates.Analytics.Reports.History;

public static class HistoryEndpoints
{
    /// <summary>The history shows the last two weeks unless asked for another range.</summary>
    public const int DefaultDays = 14;

    public static void MapHistory(this RouteGroupBuilder api, RouteGroupBuilder pages)
    {
        api.MapGet("/history", async Task<Results<Ok<List<HistoryDayView>>, ValidationProblem>> (string? from, string? to, AnalyticsDb db, Calendar calendar, CancellationToken ct) =>
            {
                var (period, errors) = Range(from, to, (await calendar.TodayAsync(db, ct)));
                if (period is not { } p) return ReportProblems.Invalid(errors);
                return TypedResults.Ok((await db.HistoryAsync(p, ct)).Select(HistoryDayView.Of).ToList());
            })
            .WithSummary("Per-day history: earnings, fees, rewards, payouts, popugs in the negative, the day's most expensive task, Accounting's close")
            .WithDescription($"`from` and `to` (yyyy-MM-dd, at most 366 days); the last {DefaultDays} days when both are absent.");

        pages.MapGet("/history/chart.svg", async Task<Results<ContentHttpResult, ValidationProblem>> (string? from, string? to, AnalyticsDb db, Calendar calendar, CancellationToken ct) =>
            {
                var (period, errors) = Range(from, to, (await calendar.TodayAsync(db, ct)));
                if (period is not { } p) return ReportProblems.Invalid(errors);
                var totals = await db.DayTotalsAsync(p, ct);
                return TypedResults.Content(EarningsChart.Render(totals.Select(t => (t.Day, t.ManagementEarnings)).ToList()), "image/svg+xml");
            });
    }

    public static (Period? Period, Dictionary<string, string[]> Errors) Range(string? from, string? to, DateOnly today) =>
        from is null && to is null
            ? (new Period(today.AddDays(1 - DefaultDays), today), [])
            : PeriodQuery.Parse("range", null, from, to, today);
}
