using Ates.Analytics.Data;
using Ates.Contracts;
using Ates.Messaging.Inbox;
using Microsoft.EntityFrameworkCore;

namespace Ates.Analytics.Feeding;

/// <summary>
/// The tasks and postings one consumer batch reads, each looked up once: the batch's preload reads them in two queries
/// and remembers the absent ones too, so a batch of postings asks nothing per event (two look-ups an event were a tenth
/// of the host's CPU, docs/benchmarks.md). Should another instance add a fact this batch found absent, the two inserts
/// collide on the key and the batch is handled again one event at a time.
/// </summary>
public sealed class BatchFacts(AnalyticsDb db)
{
    readonly Dictionary<(long Generation, Guid TaskId), TaskInfo?> _tasks = [];
    readonly Dictionary<(long Generation, Guid TransactionId), bool> _postings = [];

    /// <summary>Reads these tasks (tracked) and which of these postings exist, in every generation fed.</summary>
    public async Task LoadAsync(IReadOnlyList<long> generations, IReadOnlyCollection<Guid> taskIds, IReadOnlyCollection<Guid> transactionIds, CancellationToken ct)
    {
        if (taskIds.Count > 0)
        {
            var found = await db.Set<TaskInfo>().Where(t => generations.Contains(t.Generation) && taskIds.Contains(t.TaskId)).ToListAsync(ct);
            foreach (var generation in generations)
                foreach (var id in taskIds) _tasks.TryAdd((generation, id), null);
            foreach (var task in found) _tasks[(task.Generation, task.TaskId)] = task;
        }
        if (transactionIds.Count > 0)
        {
            var found = await db.Set<Posting>().AsNoTracking()
                .Where(p => generations.Contains(p.Generation) && transactionIds.Contains(p.TransactionId))
                .Select(p => new { p.Generation, p.TransactionId }).ToListAsync(ct);
            foreach (var generation in generations)
                foreach (var id in transactionIds) _postings.TryAdd((generation, id), false);
            foreach (var posting in found) _postings[(posting.Generation, posting.TransactionId)] = true;
        }
    }

    public async ValueTask<TaskInfo?> FindTaskAsync(long generation, Guid taskId, CancellationToken ct)
    {
        if (_tasks.TryGetValue((generation, taskId), out var task)) return task;
        return _tasks[(generation, taskId)] = await db.Set<TaskInfo>().FindAsync([generation, taskId], ct);
    }

    public TaskInfo AddTask(long generation, Guid taskId)
    {
        var task = new TaskInfo { Generation = generation, TaskId = taskId };
        db.Set<TaskInfo>().Add(task);
        return _tasks[(generation, taskId)] = task;
    }

    public async ValueTask<bool> HasPostingAsync(long generation, Guid transactionId, CancellationToken ct)
    {
        if (_postings.TryGetValue((generation, transactionId), out var has)) return has;
        return _postings[(generation, transactionId)] = await db.Set<Posting>().FindAsync([generation, transactionId], ct) is not null;
    }

    public void AddPosting(Posting posting)
    {
        db.Set<Posting>().Add(posting);
        _postings[(posting.Generation, posting.TransactionId)] = true;
    }
}

/// <summary>Loads a batch's tasks and postings into <see cref="BatchFacts"/> before its first handler.</summary>
public sealed class FactsPreload(FedGenerations generations, BatchFacts facts) : IBatchPreload
{
    public async Task LoadAsync(IReadOnlyList<object> events, CancellationToken ct)
    {
        var tasks = new HashSet<Guid>();
        var transactions = new HashSet<Guid>();
        foreach (var e in events)
        {
            switch (e)
            {
                case TaskCreated created: tasks.Add(created.TaskId); break;
                case TaskUpdated updated: tasks.Add(updated.TaskId); break;
                case TransactionApplied applied:
                    transactions.Add(applied.TransactionId);
                    if (applied.TaskId is { } taskId) tasks.Add(taskId);
                    break;
            }
        }
        if (tasks.Count == 0 && transactions.Count == 0) return;
        await facts.LoadAsync(await generations.AllAsync(ct), tasks, transactions, ct);
    }
}
