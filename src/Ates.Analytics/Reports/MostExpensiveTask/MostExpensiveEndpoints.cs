using Ates.Analytics.Data;
using Ates.Analytics.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ates.Analytics.Reports.MostExpensiveTask;

public static class MostExpensiveEndpoints
{
    public static void MapMostExpensiveTask(this RouteGroupBuilder api) =>
        api.MapGet("/most-expensive-task", async Task<Results<Ok<MostExpensiveView>, ValidationProblem>> (
                string? period, string? date, string? from, string? to, AnalyticsDb db, Calendar calendar, CancellationToken ct) =>
            {
                var today = await calendar.TodayAsync(db, ct);
                var (parsed, errors) = PeriodQuery.Parse(period, date, from, to, today);
                if (parsed is not { } p) return ReportProblems.Invalid(errors);
                return TypedResults.Ok(View(p, await db.MostExpensiveAsync(p, ct), today.Year));
            })
            .WithSummary("The most expensive task of a day, week, month or range: the highest reward posted in it")
            .WithDescription("`period=day|week|month` with `date` (yyyy-MM-dd, today when absent; a week runs Monday to Sunday), or `from` and `to` for a range of at most 366 days.");

    public static MostExpensiveView View(Period period, PricedTask? top, int currentYear) =>
        new(period.From, period.To, period.Label(currentYear), MostExpensive.Sentence(period, top, currentYear), TaskView.Of(top));
}
