using Ates.Analytics.Data;
using Ates.Analytics.Hosting;
using Ates.Analytics.Reports.MostExpensiveTask;
using Ates.Analytics.Reports.NegativeBalances;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ates.Analytics.Reports.Earnings;

public static class EarningsEndpoints
{
    public static void MapEarnings(this RouteGroupBuilder api)
    {
        api.MapGet("/today", async (AnalyticsDb db, Calendar calendar, CancellationToken ct) =>
            {
                var today = await calendar.TodayAsync(db, ct);
                var totals = (await db.DayTotalsAsync(Period.Day(today), ct))[0];
                var top = await db.MostExpensiveAsync(Period.Day(today), ct);
                return TypedResults.Ok(new TodayView(today, totals.ManagementEarnings, await db.InNegativeAsync(today, ct),
                    MostExpensiveEndpoints.View(Period.Day(today), top, today.Year)));
            })
            .WithSummary("Today at a glance: management earnings, popugs in the negative, the most expensive task");

        api.MapGet("/earnings", async Task<Results<Ok<EarningsView>, ValidationProblem>> (string? date, AnalyticsDb db, Calendar calendar, CancellationToken ct) =>
            {
                var errors = new Dictionary<string, string[]>();
                var day = PeriodQuery.Date(date, "date", errors, required: false) ?? await calendar.TodayAsync(db, ct);
                if (errors.Count > 0) return ReportProblems.Invalid(errors);
                return TypedResults.Ok(EarningsView.Of((await db.DayTotalsAsync(Period.Day(day), ct))[0]));
            })
            .WithSummary("Management earnings of a day (today when no date): assign fees charged − rewards paid");

        api.MapGet("/popugs-in-negative", async Task<Results<Ok<InNegativeView>, ValidationProblem>> (string? date, AnalyticsDb db, Calendar calendar, CancellationToken ct) =>
            {
                var errors = new Dictionary<string, string[]>();
                var day = PeriodQuery.Date(date, "date", errors, required: false) ?? await calendar.TodayAsync(db, ct);
                if (errors.Count > 0) return ReportProblems.Invalid(errors);
                return TypedResults.Ok(new InNegativeView(day, await db.InNegativeAsync(day, ct)));
            })
            .WithSummary("How many popugs have a negative balance at the end of a day (today when no date)");
    }
}
