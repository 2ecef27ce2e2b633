using Ates.Contracts;
using Ates.Tasks.Domain;
using Microsoft.EntityFrameworkCore;

namespace Ates.Tasks.Data;

/// <summary>Reads of the users replica that assignment needs.</summary>
public static class Assignees
{
    /// <summary>
    /// The ids of everyone who may be given a task (<see cref="Assignment.CanBeAssigned"/>), in a fixed order so that a
    /// scripted random source picks the same popugs every run.
    /// </summary>
    public static Task<List<Guid>> EligibleAsync(this TasksDb db, CancellationToken ct) =>
        db.Users.AsNoTracking()
            .Where(u => u.EntityVersion > 0 && u.Status == UserStatus.Active && u.Role != UserRole.Admin && u.Role != UserRole.Manager)
            .OrderBy(u => u.Id)
            .Select(u => u.Id)
            .ToListAsync(ct);

    public static async Task<Dictionary<Guid, string>> NamesAsync(this TasksDb db, IEnumerable<Guid> ids, CancellationToken ct)
    {
        var wanted = ids.Distinct().ToList();
        return await db.Users.AsNoTracking().Where(u => wanted.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.Name, ct);
    }

    public static string NameOr(this Dictionary<Guid, string> names, Guid id) =>
        names.TryGetValue(id, out var name) && name.Length > 0 ? name : "(unknown popug)";
}
