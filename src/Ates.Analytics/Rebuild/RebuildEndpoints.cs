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
            .WithSummary("Drops Analytics' data and has every producer replay its event log into it")
            .WithDescription("Answers 202 at once; poll GET /api/rebuild for progress. 409 while a rebuild is running. The caller's access token is forwarded to each producer's replay endpoint.");

        api.MapGet("/rebuild", Results<Ok<RebuildProgress>, ProblemHttpResult> (Rebuilder rebuilder) =>
                rebuilder.Current is { } progress
                    ? TypedResults.Ok(progress)
                    : TypedResults.Problem(title: "No rebuild yet", detail: "No rebuild has run on this instance since it started.", statusCode: StatusCodes.Status404NotFound))
            .WithSummary("The progress of the running (or the last) rebuild");

        pages.MapGet("/rebuild", (HttpContext http, Rebuilder rebuilder, string? notice) => Page(http, rebuilder, notice, null, StatusCodes.Status200OK));

        pages.MapPost("/rebuild", async ([FromForm] string? confirm, HttpContext http, Rebuilder rebuilder, IHostApplicationLifetime life) =>
        {
            if (confirm != "yes")
                return Page(http, rebuilder, null, "Tick the box to confirm: the reports are empty until the replay has finished.", StatusCodes.Status400BadRequest);
            if (!rebuilder.TryStart(await AdminToken.OfAsync(http), life.ApplicationStopping, out _))
                return Page(http, rebuilder, null, "A rebuild is already running.", StatusCodes.Status409Conflict);
            return Results.Redirect($"{http.Request.PathBase}/rebuild?notice={Uri.EscapeDataString("Rebuild started.")}");
        });
    }

    static IResult Page(HttpContext http, Rebuilder rebuilder, string? notice, string? error, int status)
    {
        var progress = rebuilder.Current;
        // The page polls itself while the rebuild runs: no script needed.
        if (progress is { IsRunning: true }) http.Response.Headers["Refresh"] = "2";
        return new RazorComponentResult<RebuildPage>(new { Progress = progress, Notice = notice, Error = error }) { StatusCode = status };
    }

    static ProblemHttpResult AlreadyRunning(RebuildProgress running) =>
        TypedResults.Problem(title: "A rebuild is already running", detail: $"Rebuild {running.Id} started at {running.StartedAt:u}; wait for it to finish.", statusCode: StatusCodes.Status409Conflict);
}
