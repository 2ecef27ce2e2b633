using Ates.Analytics.Data;
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
    readonly Dictionary<(long Generation, Guid TaskId), TaskFact?> _tasks = [];
    readonly Dictionary<(long Generation, Guid TransactionId), bool> _postings = [];

    /// <summary>Reads these tasks (tracked) and which of these postings exist, in every generation fed.</summary>
    public async Task LoadAsync(IReadOnlyList<long> generations, IReadOnlyCollection<Guid> taskIds, IReadOnlyCollection<Guid> transactionIds, CancellationToken ct)
    {
        if (taskIds.Count > 0)
        {
            var found = await db.Set<TaskFact>().Where(t => generations.Contains(t.Generation) && taskIds.Contains(t.TaskId)).ToListAsync(ct);
            foreach (var generation in generations)
                foreach (var id in taskIds) _tasks.TryAdd((generation, id), null);
            foreach (var task in found) _tasks[(task.Generation, task.TaskId)] = task;
        }
        if (transactionIds.Count > 0)
        {
            var found = await db.Set<PostingFact>().AsNoTracking()
                .Where(p => generations.Contains(p.Generation) && transactionIds.Contains(p.TransactionId))
                .Select(p => new { p.Generation, p.TransactionId }).ToListAsync(ct);
            foreach (var generation in generations)
                foreach (var id in transactionIds) _postings.TryAdd((generation, id), false);
            foreach (var posting in found) _postings[(posting.Generation, posting.TransactionId)] = true;
        }
    }

    public async ValueTask<TaskFact?> FindTaskAsync(long generation, Guid taskId, CancellationToken ct)
    {
        if (_tasks.TryGetValue((generation, taskId), out var task)) return task;
        return _tasks[(generation, taskId)] = await db.Set<TaskFact>().FindAsync([generation, taskId], ct);
    }

    public TaskFact AddTask(long generation, Guid taskId)
    {
        var task = new TaskFact { Generation = generation, TaskId = taskId };
        db.Set<TaskFact>().Add(task);
        return _tasks[(generation, taskId)] = task;
    }

    public async ValueTask<bool> HasPostingAsync(long generation, Guid transactionId, CancellationToken ct)
    {
        if (_postings.TryGetValue((generation, transactionId), out var has)) return has;
        return _postings[(generation, transactionId)] = await db.Set<PostingFact>().FindAsync([generation, transactionId], ct) is not null;
    }

    public void AddPosting(PostingFact posting)
    {
        db.Set<PostingFact>().Add(posting);
        _postings[(posting.Generation, posting.TransactionId)] = true;
    }
}
