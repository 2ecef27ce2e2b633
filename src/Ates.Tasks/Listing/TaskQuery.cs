using Ates.ServiceDefaults.Hosting;
using Ates.Tasks.Data;
using Ates.Tasks.Domain;
using Microsoft.EntityFrameworkCore;

namespace Ates.Tasks.Listing;

/// <summary>One page of a task list and how many tasks match in all.</summary>
public sealed record TaskPage(IReadOnlyList<TaskView> Tasks, int Total, int Offset, int Limit);

/// <summary>The task lists everyone may read: all tasks by status and assignee, and one's own open tasks.</summary>
public sealed class TaskQuery(TasksDb db)
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    /// <summary>Checks the filters as given in a query string; errors by parameter name.</summary>
    public static (TaskState? Status, Dictionary<string, string[]> Errors) ParseStatus(string? status)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(status)) return (null, errors);
        if (Enum.TryParse<TaskState>(status.Trim(), ignoreCase: true, out var state) && !int.TryParse(status, out _)) return (state, errors);
        errors["status"] = [$"Unknown status '{status}': use open or done."];
        return (null, errors);
    }

    public async Task<Outcome<TaskPage>> ListAsync(string? status, Guid? assignee, int? offset, int? limit, CancellationToken ct)
    {
        var (state, errors) = ParseStatus(status);
        if (offset is < 0) errors["offset"] = ["offset must be 0 or more."];
        if (limit is < 1 or > MaxLimit) errors["limit"] = [$"limit must be between 1 and {MaxLimit}."];
        if (errors.Count > 0) return Refusal.Invalid(errors);

        var query = db.Tasks.AsNoTracking();
        if (state is { } s) query = query.Where(t => t.State == s);
        if (assignee is { } a) query = query.Where(t => t.AssigneeId == a);
        var total = await query.CountAsync(ct);
        var (skip, take) = (offset ?? 0, limit ?? DefaultLimit);
        var tasks = await query.OrderByDescending(t => t.CreatedAt).ThenBy(t => t.Id).Skip(skip).Take(take).ToListAsync(ct);
        return new TaskPage(await ViewsAsync(tasks, ct), total, skip, take);
    }

    public async Task<IReadOnlyList<TaskView>> OpenTasksOfAsync(Guid assignee, CancellationToken ct)
    {
        var tasks = await db.Tasks.AsNoTracking().Where(t => t.AssigneeId == assignee && t.State == TaskState.Open)
            .OrderBy(t => t.CreatedAt).ThenBy(t => t.Id).ToListAsync(ct);
        return await ViewsAsync(tasks, ct);
    }

    public async Task<TaskView?> FindAsync(Guid id, CancellationToken ct) =>
        await db.Tasks.AsNoTracking().FirstOrDefaultAsync(t => t.Id == id, ct) is { } task ? (await ViewsAsync([task], ct))[0] : null;

    /// <summary>Everyone a task list can be filtered by: the popugs of the replica, by name.</summary>
    public async Task<IReadOnlyList<(Guid Id, string Name)>> PopugsAsync(CancellationToken ct) =>
        (await db.Users.AsNoTracking().Where(u => u.EntityVersion > 0).OrderBy(u => u.Name).Select(u => new { u.Id, u.Name }).ToListAsync(ct))
        .Select(u => (u.Id, u.Name)).ToList();

    public async Task<IReadOnlyList<TaskView>> ViewsAsync(IReadOnlyList<PopugTask> tasks, CancellationToken ct)
    {
        var names = await db.NamesAsync(tasks.Select(t => t.AssigneeId), ct);
        return tasks.Select(t => TaskView.Of(t, names.NameOr(t.AssigneeId))).ToList();
    }
}
