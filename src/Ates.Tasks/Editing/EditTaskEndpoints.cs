using Ates.ServiceDefaults.Pages;
using Ates.Tasks.Creating;
using Ates.Tasks.Domain;
using Ates.Tasks.Listing;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Ates.Tasks.Editing;

public static class EditTaskEndpoints
{
    public static void MapEditTask(this RouteGroupBuilder api, RouteGroupBuilder pages)
    {
        api.MapPut("/tasks/{id:guid}", async (Guid id, TaskInput input, EditTask edit, TaskQuery query, CancellationToken ct) =>
            {
                var outcome = await edit.RunAsync(id, input, ct);
                return outcome.Value is { } task ? TypedResults.Ok((await query.ViewsAsync([task], ct))[0]) : outcome.Refusal!.ToProblem();
            })
            .WithSummary("Edit a task's title, jira id and description")
            .WithDescription("Publishes task.updated with the new snapshot when something changed.")
            .Produces<TaskView>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);

        pages.MapGet("/{id:guid}/edit", async (Guid id, HttpContext http, TaskQuery query, CancellationToken ct) =>
            await query.FindAsync(id, ct) is { } task
                ? new RazorComponentResult<EditTaskPage>(new { Task = task, Base = http.Local("") })
                : Results.NotFound());
        pages.MapPost("/{id:guid}/edit", async (Guid id, [FromForm] string? title, [FromForm(Name = "jira_id")] string? jiraId,
            [FromForm] string? description, HttpContext http, EditTask edit, TaskQuery query, CancellationToken ct) =>
        {
            var input = new TaskInput(title, jiraId, description);
            var outcome = await edit.RunAsync(id, input, ct);
            if (outcome.Value is { } task) return http.RedirectWithNotice("/", $"Saved “{task.Title}”.");
            if (await query.FindAsync(id, ct) is not { } current) return Results.NotFound();
            var refusal = outcome.Refusal!;
            return new RazorComponentResult<EditTaskPage>(new
            {
                Task = current, Base = http.Local(""), Input = input, refusal.Errors,
                Error = refusal.Errors is null ? refusal.Detail : "Please correct the fields below.",
            }) { StatusCode = refusal.Status };
        });
    }
}
