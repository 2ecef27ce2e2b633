using Ates.ServiceDefaults.Users;
using Ates.Tasks.Domain;
using Microsoft.EntityFrameworkCore;

namespace Ates.Tasks.Data;

/// <summary>Reads of the users replica that assignment needs.</summary>
public static class Assignees
{
    /// <summary>
    /// The ids of everyone who may be given a task (<see cref="KnownUser.Assignable"/>), in a fixed order so that a
    /// scripted random source picks the same popugs every run.
    /// </summary>
    public static Task<List<Guid>> EligibleAsync(this TasksDb db, CancellationToken ct) => Eligible(db).ToListAsync(ct);

    /// <summary>
    /// How many may be given a task. With <see cref="EligibleAtAsync"/> a creation picks one, each with the same chance
    /// (<see cref="Assignment.Pick"/> over the same order), reading their count and the one picked rather than every
    /// id. Under the task log lock, as every change to the replica is, the two reads agree.
    /// </summary>
    public static Task<int> EligibleCountAsync(this TasksDb db, CancellationToken ct) => Eligible(db).CountAsync(ct);

    /// <summary>The eligible popug at <paramref name="index"/> of <see cref="EligibleAsync"/>'s order.</summary>
    public static Task<Guid> EligibleAtAsync(this TasksDb db, int index, CancellationToken ct) => Eligible(db).Skip(index).FirstAsync(ct);

    static IQueryable<Guid> Eligible(TasksDb db) =>
        db.Users.AsNoTracking()
            .Where(KnownUser.Assignable)
            .OrderBy(u => u.Id)
            .Select(u => u.Id);

    public static async Task<Dictionary<Guid, string>> NamesAsync(this TasksDb db, IEnumerable<Guid> ids, CancellationToken ct)
    {
        var wanted = ids.Distinct().ToList();
        return await db.Users.AsNoTracking().Where(u => wanted.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.Name, ct);
    }

    public static string NameOr(this Dictionary<Guid, string> names, Guid id) =>
        names.TryGetValue(id, out var name) && name.Length > 0 ? name : "(unknown popug)";
}
