using Ates.Contracts;
using Ates.ServiceDefaults.Hosting;
using Ates.Tasks.Data;
using Ates.Tasks.Domain;

namespace Ates.Tasks.Completing;

/// <summary>The assignee marks their task done: task.completed, which Accounting turns into the reward.</summary>
public sealed class CompleteTask(TaskWriter writer, TimeProvider time)
{
    public Task<Outcome<PopugTask>> RunAsync(Guid id, Guid by, CancellationToken ct) =>
        writer.WriteAsync(async (turn, ct) =>
        {
            if (await turn.Db.Tasks.FindAsync([id], ct) is not { } task) return TaskRefusals.NoSuchTask(id);

            var now = time.GetUtcNow();
            switch (task.Complete(by, now))
            {
                case CompletionRefusal.AlreadyDone:
                    return new Refusal(StatusCodes.Status409Conflict, "The task is already done",
                        $"Task {id} was completed at {task.CompletedAt:u}; a done task cannot be completed again.");
                case CompletionRefusal.NotTheAssignee:
                    return new Refusal(StatusCodes.Status403Forbidden, "Not your task",
                        "Only the popug the task is assigned to can mark it done.");
            }
            turn.Outbox.Add(new TaskCompleted(task.Id, task.AssigneeId, now, await turn.BillingDayAsync(now, ct)), task.Id.ToString(), now);
            return task;
        }, ct);
}
