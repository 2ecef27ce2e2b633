using Ates.ServiceDefaults.Hosting;
using Ates.ServiceDefaults.Pages;
using Ates.Tasks.Domain;
using Ates.Tasks.Listing;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ates.Tasks.Completing;

public static class CompleteTaskEndpoints
{
    public static void MapCompleteTask(this RouteGroupBuilder api, RouteGroupBuilder pages)
    {
        api.MapPost("/tasks/{id:guid}/complete", async (Guid id, HttpContext http, CompleteTask complete, TaskQuery query, CancellationToken ct) =>
            {
                var outcome = await complete.RunAsync(id, http.User.UserId()!.Value, ct);
                return outcome.Value is { } task ? TypedResults.Ok((await query.ViewsAsync([task], ct))[0]) : outcome.Refusal!.ToProblem();
            })
            .WithSummary("Mark a task done")
            .WithDescription("Only the task's current assignee may complete it (403); a done task cannot be completed again (409).")
            .Produces<TaskView>().ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        pages.MapPost("/{id:guid}/complete", async (Guid id, HttpContext http, CompleteTask complete, TaskQuery query, CancellationToken ct) =>
        {
            var outcome = await complete.RunAsync(id, http.User.UserId()!.Value, ct);
            if (outcome.Value is { } task) return http.RedirectWithNotice("/mine", $"Done: “{task.Title}”. Its reward is on its way to your account.");
            var refusal = outcome.Refusal!;
            return new RazorComponentResult<MyTasksPage>(new
            {
                Tasks = await query.OpenTasksOfAsync(http.User.UserId()!.Value, ct), Base = http.Local(""), Error = refusal.Detail,
            }) { StatusCode = refusal.Status };
        });
    }
}
