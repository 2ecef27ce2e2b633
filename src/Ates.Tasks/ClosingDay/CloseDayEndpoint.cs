using Ates.Contracts;
using Ates.ServiceDefaults.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ates.Tasks.ClosingDay;

public static class CloseDayEndpoint
{
    public sealed record ClosedDayView(DateOnly Day, long PreviousSequence, long LastSequence, long TaskEvents, DateTimeOffset ClosedAt);

    /// <summary>The day to close: the open day, as the caller saw it (so a repeat cannot close the next one too).</summary>
    public sealed record CloseDayRequest(DateOnly? Day);

    /// <summary>POST /api/days/close: admins and accountants close the open day now (operations, demos).</summary>
    public static void MapCloseDay(this IEndpointRouteBuilder api)
    {
        api.MapPost("/days/close", async Task<Results<Ok<ClosedDayView>, ProblemHttpResult>> (CloseDayRequest? request, HttpContext http,
                DayCloser closer, CancellationToken ct) =>
            {
                if (request?.Day is not { } day)
                    return TypedResults.Problem(statusCode: 400, title: "Which day?",
                        detail: "Send {\"day\": \"yyyy-MM-dd\"}: the open day you mean to close (GET /api/days/open).");
                if (await closer.CloseOpenDayNowAsync(day, http.User.UserId()!.Value, ct) is not { } closed)
                    return TypedResults.Problem(statusCode: 409, title: "Not the open day",
                        detail: $"{day:yyyy-MM-dd} is not the open day; the open day is {await closer.OpenDayAsync(ct):yyyy-MM-dd}. Nothing was closed.");
                return TypedResults.Ok(new ClosedDayView(closed.Day, closed.PreviousSequence, closed.LastSequence, closed.TaskEvents, closed.ClosedAt));
            })
            .RequireAuthorization(p => p.RequireRole(UserRole.Admin.ClaimValue(), UserRole.Accountant.ClaimValue()))
            .WithSummary("Close the open day now")
            .WithDescription("Writes the tasks.day_closed marker for the named open day with every task event so far; the next day opens. " +
                "A day that is not the open one (already closed: a repeat or a concurrent call) is refused with 409 and nothing changes. Admins and accountants.")
            .ProducesProblem(400).ProducesProblem(401).ProducesProblem(403).ProducesProblem(409);
        api.MapGet("/days/open", async (DayCloser closer, CancellationToken ct) => TypedResults.Ok(new { day = await closer.OpenDayAsync(ct) }))
            .WithSummary("The day task events are being written to");
    }
}
