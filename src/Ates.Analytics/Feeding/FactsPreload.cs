using Ates.Contracts;
using Ates.Messaging.Inbox;

namespace Ates.Analytics.Feeding;

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
