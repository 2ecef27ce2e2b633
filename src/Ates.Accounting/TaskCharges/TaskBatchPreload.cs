using Ates.Accounting.Data;
using Ates.Accounting.Ledger;
using Ates.Contracts;
using Ates.Messaging.Inbox;
using Microsoft.EntityFrameworkCore;

namespace Ates.Accounting.TaskCharges;

/// <summary>
/// Loads, once per consumer batch, the tasks, accounts and users its task events will look up: three queries instead of
/// up to three per event, which were a quarter of Accounting's CPU at 100 000 tasks (docs/benchmarks.md).
/// </summary>
public sealed class TaskBatchPreload(AccountingDb db, BillableTasks billableTasks) : IBatchPreload
{
    public async Task LoadAsync(IReadOnlyList<object> events, CancellationToken ct)
    {
        var tasks = new HashSet<Guid>();
        var popugs = new HashSet<Guid>();
        foreach (var e in events)
        {
            switch (e)
            {
                case TaskCreated created: tasks.Add(created.TaskId); break;
                case TaskUpdated updated: tasks.Add(updated.TaskId); break;
                case TaskAssigned assigned: tasks.Add(assigned.TaskId); popugs.Add(assigned.AssigneeId); break;
                case TaskCompleted completed: tasks.Add(completed.TaskId); popugs.Add(completed.AssigneeId); break;
            }
        }
        if (tasks.Count == 0) return;

        await billableTasks.LoadAsync(tasks, ct);
        if (popugs.Count == 0) return;
        // Tracked, so the handlers' FindAsync answers from memory.
        await db.Accounts.Where(a => popugs.Contains(a.Id)).LoadAsync(ct);
        await db.Users.Where(u => popugs.Contains(u.Id)).LoadAsync(ct);
    }
}
