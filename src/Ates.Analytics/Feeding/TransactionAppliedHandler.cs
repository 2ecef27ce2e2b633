using Ates.Analytics.Data;
using Ates.Analytics.Reports;
using Ates.Contracts;
using Ates.Messaging.Inbox;

namespace Ates.Analytics.Feeding;

/// <summary>
/// Stores the posting once by its transaction id (besides the inbox, which dedupes by event id), and a placeholder
/// for a task it names first: its task.created may still be on the way. Into every generation being fed.
/// </summary>
public sealed class TransactionAppliedHandler(BatchFacts facts, FedGenerations generations) : IEventHandler<TransactionApplied>
{
    public async Task HandleAsync(TransactionApplied @event, EventContext context, CancellationToken ct)
    {
        foreach (var generation in await generations.AllAsync(ct))
        {
            if (await facts.HasPostingAsync(generation, @event.TransactionId, ct)) continue;
            facts.AddPosting(new PostingFact
            {
                Generation = generation,
                TransactionId = @event.TransactionId,
                AccountId = @event.AccountId,
                Kind = @event.Kind,
                AmountCents = Money.ToCents(@event.Amount),
                TaskId = @event.TaskId,
                Day = @event.Day,
            });
            if (@event.TaskId is { } taskId && await facts.FindTaskAsync(generation, taskId, ct) is null)
                facts.AddTask(generation, taskId);
        }
    }
}
