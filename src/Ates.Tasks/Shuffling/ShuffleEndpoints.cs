using Ates.Contracts;
using Ates.ServiceDefaults.Hosting;
using Ates.ServiceDefaults.Pages;

namespace Ates.Tasks.Shuffling;

public static class ShuffleEndpoints
{
    /// <summary>Managers and admins only.</summary>
    public static readonly string[] Roles = [UserRole.Manager.ClaimValue(), UserRole.Admin.ClaimValue()];

    public static void MapShuffle(this RouteGroupBuilder api, RouteGroupBuilder pages)
    {
        api.MapPost("/tasks/shuffle", async (ShuffleTasks shuffle, CancellationToken ct) =>
            {
                var outcome = await shuffle.RunAsync(ct);
                return outcome.Value is { } result ? TypedResults.Ok(result) : outcome.Refusal!.ToProblem();
            })
            .RequireAuthorization(p => p.RequireRole(Roles))
            .WithSummary("Reassign every open task")
            .WithDescription("Managers and admins. Every open task gets a new random eligible assignee (possibly the same); each assignment is a task.assigned with reason shuffle.")
            .Produces<ShuffleResult>().ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status409Conflict);

        pages.MapPost("/shuffle", async (HttpContext http, ShuffleTasks shuffle, CancellationToken ct) =>
            {
                var outcome = await shuffle.RunAsync(ct);
                return outcome.Value is { } result
                    ? http.RedirectWithNotice("/", $"Shuffled: {result.Reassigned} open tasks got a new assignee.")
                    : http.RedirectWithError("/", outcome.Refusal!.Detail ?? outcome.Refusal.Title);
            })
            .RequireAuthorization(p => p.RequireRole(Roles));
    }
}
