using Ates.ServiceDefaults.Hosting;
using Ates.ServiceDefaults.Pages;
using Ates.Tasks.Domain;
using Ates.Tasks.Listing;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Ates.Tasks.Creating;

public static class CreateTaskEndpoints
{
    public static void MapCreateTask(this RouteGroupBuilder api, RouteGroupBuilder pages)
    {
        api.MapPost("/tasks", async (TaskInput input, HttpContext http, CreateTask create, TaskQuery query, CancellationToken ct) =>
            {
                var outcome = await create.RunAsync(input, http.User.UserId()!.Value, ct);
                if (outcome.Value is not { } task) return outcome.Refusal!.ToProblem();
                return TypedResults.Created($"{http.Request.PathBase}/api/tasks/{task.Id}", (await query.ViewsAsync([task], ct))[0]);
            })
            .WithSummary("Create a task")
            .WithDescription("Anyone may create a task. It is assigned at once to a random active popug who is neither admin nor manager (409 when there is none). The title must not contain [ or ]: the jira id has its own field.")
            .Produces<TaskView>(StatusCodes.Status201Created).ProducesValidationProblem().ProducesProblem(StatusCodes.Status409Conflict);

        pages.MapGet("/new", (HttpContext http) => new RazorComponentResult<NewTaskPage>(new { Base = http.Local("") }));
        pages.MapPost("/new", async ([FromForm] string? title, [FromForm(Name = "jira_id")] string? jiraId, [FromForm] string? description,
            HttpContext http, CreateTask create, TaskQuery query, CancellationToken ct) =>
        {
            var input = new TaskInput(title, jiraId, description);
            var outcome = await create.RunAsync(input, http.User.UserId()!.Value, ct);
            if (outcome.Value is { } task)
            {
                var view = (await query.ViewsAsync([task], ct))[0];
                return http.RedirectWithNotice("/", $"Created “{task.Title}” and assigned it to {view.AssigneeName}.");
            }
            var refusal = outcome.Refusal!;
            return new RazorComponentResult<NewTaskPage>(new
            {
                Base = http.Local(""), Input = input, refusal.Errors, Error = refusal.Errors is null ? refusal.Detail : "Please correct the fields below.",
            }) { StatusCode = refusal.Status };
        });
    }
}
