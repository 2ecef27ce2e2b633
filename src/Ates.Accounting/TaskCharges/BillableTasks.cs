using Ates.Accounting.Data;
using Ates.Accounting.Pricing;
using Ates.ServiceDefaults.Hosting;
using Microsoft.EntityFrameworkCore;

namespace Ates.Accounting.TaskCharges;

/// <summary>
/// Accounting's tasks within one scope (a consumer batch): each looked up once, and priced on first sight. Should
/// another instance add a task this scope looked for and did not find, the two inserts collide on the key and the
/// later batch is handled again one event at a time, finding the task and its prices.
/// </summary>
public sealed class BillableTasks(AccountingDb db, IPriceSource prices, BillingCalendar clock)
{
    readonly Dictionary<Guid, BillableTask?> _seen = [];

    /// <summary>Reads these tasks in one query, remembering the absent ones too.</summary>
    public async Task LoadAsync(IReadOnlyCollection<Guid> ids, CancellationToken ct)
    {
        var wanted = ids.Where(id => !_seen.ContainsKey(id)).ToList();
        if (wanted.Count == 0) return;
        var found = await db.Tasks.Where(t => wanted.Contains(t.Id)).ToDictionaryAsync(t => t.Id, ct);
        foreach (var id in wanted) _seen[id] = found.GetValueOrDefault(id);
    }

    /// <summary>The task, or a placeholder priced now: prices are set once, on first sight, whatever the event.</summary>
    public async Task<BillableTask> GetAsync(Guid id, CancellationToken ct)
    {
        if (!_seen.TryGetValue(id, out var task)) task = await db.Tasks.FindAsync([id], ct);
        if (task is null)
        {
            var (fee, reward) = prices.PricesFor(id);
            task = new BillableTask { Id = id, AssignFee = fee, Reward = reward, PricedAt = clock.UtcNow };
            db.Tasks.Add(task);
        }
        _seen[id] = task;
        return task;
    }
}
