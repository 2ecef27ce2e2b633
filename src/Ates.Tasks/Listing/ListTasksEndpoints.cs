using Ates.Contracts;
using Ates.ServiceDefaults.Hosting;
using Ates.ServiceDefaults.Pages;
using Ates.Tasks.Domain;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ates.Tasks.Listing;

public static class ListTasksEndpoints
{
    public static void MapListTasks(this RouteGroupBuilder api, RouteGroupBuilder pages)
    {
        api.MapGet("/tasks", async (string? status, Guid? assignee, int? offset, int? limit, TaskQuery query, CancellationToken ct) =>
            {
                var outcome = await query.ListAsync(status, assignee, offset, limit, ct);
                return outcome.Value is { } page ? TypedResults.Ok(page) : outcome.Refusal!.ToProblem();
            })
            .WithSummary("List tasks")
            .WithDescription("Everyone may list tasks, newest first; filter by status (open, done) and assignee (a user id). Paged by offset and limit (1–1000, default 100).")
            .Produces<TaskPage>().ProducesValidationProblem();
        api.MapGet("/tasks/mine", async (HttpContext http, TaskQuery query, CancellationToken ct) =>
                TypedResults.Ok(await query.OpenTasksOfAsync(http.User.UserId()!.Value, ct)))
            .WithSummary("My open tasks");
        api.MapGet("/tasks/{id:guid}", async (Guid id, TaskQuery query, CancellationToken ct) =>
                await query.FindAsync(id, ct) is { } task ? TypedResults.Ok(task) : TaskRefusals.NoSuchTask(id).ToProblem())
            .WithSummary("One task")
            .Produces<TaskView>().ProducesProblem(StatusCodes.Status404NotFound);

        pages.MapGet("/", async (string? status, string? assignee, string? offset, string? notice, string? error, HttpContext http, TaskQuery query, CancellationToken ct) =>
        {
            // A hand-edited query string gets the list with a message, not an error page.
            var assigneeId = Guid.TryParse(assignee, out var a) ? a : (Guid?)null;
            var from = int.TryParse(offset, out var o) && o >= 0 ? o : 0;
            var outcome = await query.ListAsync(status, assigneeId, from, null, ct);
            var page = outcome.Value ?? (await query.ListAsync(null, assigneeId, from, null, ct)).Value!;
            return new RazorComponentResult<TasksPage>(new
            {
                Page = page,
                Popugs = await query.PopugsAsync(ct),
                Status = TaskQuery.ParseStatus(status).Status,
                Assignee = assigneeId,
                Me = http.User.UserId()!.Value,
                CanShuffle = http.User.IsIn(UserRole.Manager, UserRole.Admin),
                Base = http.Local(""),
                Notice = notice,
                Error = error ?? outcome.Refusal?.Detail,
            });
        });
        pages.MapGet("/mine", async (string? notice, string? error, HttpContext http, TaskQuery query, CancellationToken ct) =>
            new RazorComponentResult<MyTasksPage>(new
            {
                Tasks = await query.OpenTasksOfAsync(http.User.UserId()!.Value, ct), Base = http.Local(""), Notice = notice, Error = error,
            }));
    }
}
