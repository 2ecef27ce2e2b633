using Ates.Contracts;
using Ates.ServiceDefaults.Hosting;

namespace Ates.Tasks.ClosingDay;

public static class CloseDayEndpoint
{
    public sealed record ClosedDayView(DateOnly Day, long PreviousSequence, long LastSequence, long TaskEvents, DateTimeOffset ClosedAt);

    /// <summary>POST /api/days/close: admins and accountants close the open day now (operations, demos).</summary>
    public static void MapCloseDay(this IEndpointRouteBuilder api)
    {
        api.MapPost("/days/close", async (HttpContext http, DayCloser closer, CancellationToken ct) =>
            {
                var day = await closer.CloseOpenDayNowAsync(http.User.UserId()!.Value, ct);
                return TypedResults.Ok(new ClosedDayView(day.Day, day.PreviousSequence, day.LastSequence, day.TaskEvents, day.ClosedAt));
            })
            .RequireAuthorization(p => p.RequireRole(UserRole.Admin.ClaimValue(), UserRole.Accountant.ClaimValue()))
            .WithSummary("Close the open day now")
            .WithDescription("Writes the tasks.day_closed marker for the open day with every task event so far; the next day opens. Admins and accountants.");
        api.MapGet("/days/open", async (DayCloser closer, CancellationToken ct) => TypedResults.Ok(new { day = await closer.OpenDayAsync(ct) }))
            .WithSummary("The day task events are being written to");
    }
}
