using Ates.Analytics.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Ates.Analytics.Rebuild;

public static class RebuildEndpoints
{
    public static void MapRebuild(this RouteGroupBuilder api, RouteGroupBuilder pages)
    {
        api.MapPost("/rebuild", async Task<Results<Accepted<RebuildProgress>, ProblemHttpResult>> (HttpContext http, Rebuilder rebuilder, IHostApplicationLifetime life) =>
                rebuilder.TryStart(await AdminToken.OfAsync(http), life.ApplicationStopping, out var progress)
                    ? TypedResults.Accepted($"{http.Request.PathBase}/api/rebuild", progress)
                    : AlreadyRunning(progress))
            .WithSummary("Builds Analytics' data again, aside, from every producer's event log, then switches the reports to it")
            .WithDescription("Answers 202 at once; poll GET /api/rebuild for progress. 409 while a rebuild is running. The reports show the old data until the new is complete; a failed rebuild changes nothing. The caller's access token is forwarded to each producer's replay endpoint.");

        api.MapGet("/rebuild/logs", async (HttpContext http, LogReachReader reach, CancellationToken ct) =>
                TypedResults.Ok(await reach.ReadAsync(await AdminToken.OfAsync(http), ct)))
            .WithSummary("How far back each producer's event log reaches, and how many events a rebuild would lose")
            .WithDescription("`lost` counts the events Analytics' current data holds that the producer's log no longer has (dropped after `retention`).");

        api.MapGet("/rebuild", Results<Ok<RebuildProgress>, ProblemHttpResult> (Rebuilder rebuilder) =>
                rebuilder.Current is { } progress
                    ? TypedResults.Ok(progress)
                    : TypedResults.Problem(title: "No rebuild yet", detail: "No rebuild has run on this instance since it started.", statusCode: StatusCodes.Status404NotFound))
            .WithSummary("The progress of the running (or the last) rebuild");

        pages.MapGet("/rebuild", (HttpContext http, Rebuilder rebuilder, LogReachReader reach, string? notice) =>
            PageAsync(http, rebuilder, reach, notice, null, StatusCodes.Status200OK));

        pages.MapPost("/rebuild", async ([FromForm] string? confirm, HttpContext http, Rebuilder rebuilder, LogReachReader reach, IHostApplicationLifetime life) =>
        {
            if (confirm != "yes")
                return await PageAsync(http, rebuilder, reach, null, "Tick the box to confirm that you want the reports built again from the producers' logs.", StatusCodes.Status400BadRequest);
            if (!rebuilder.TryStart(await AdminToken.OfAsync(http), life.ApplicationStopping, out _))
                return await PageAsync(http, rebuilder, reach, null, "A rebuild is already running.", StatusCodes.Status409Conflict);
            return Results.Redirect($"{http.Request.PathBase}/rebuild?notice={Uri.EscapeDataString("Rebuild started.")}");
        });
    }

    static async Task<IResult> PageAsync(HttpContext http, Rebuilder rebuilder, LogReachReader reach, string? notice, string? error, int status)
    {
        var progress = rebuilder.Current;
        // The page polls itself while the rebuild runs: no script needed. The logs' reach matters before one starts.
        if (progress is { IsRunning: true }) http.Response.Headers["Refresh"] = "2";
        var logs = progress is { IsRunning: true } ? null : await reach.ReadAsync(await AdminToken.OfAsync(http), http.RequestAborted);
        return new RazorComponentResult<RebuildPage>(new { Progress = progress, Logs = logs, Notice = notice, Error = error }) { StatusCode = status };
    }

    static ProblemHttpResult AlreadyRunning(RebuildProgress running) =>
        TypedResults.Problem(title: "A rebuild is already running", detail: $"Rebuild {running.Id} started at {running.StartedAt:u}; wait for it to finish.", statusCode: StatusCodes.Status409Conflict);
}
