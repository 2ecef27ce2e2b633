using Ates.Contracts;
using Ates.Messaging.Inbox;

namespace Ates.Messaging.Node;

/// <summary>Records every task.created it is given. Titles steer failures: "poison…" always throws, "flaky…" throws on the first try.</summary>
public sealed class SeenTaskHandler(TestDb db, HandlerFaults faults) : IEventHandler<TaskCreated>
{
    public async Task HandleAsync(TaskCreated @event, EventContext context, CancellationToken ct)
    {
        if (@event.Title.StartsWith("poison", StringComparison.Ordinal))
            throw new InvalidOperationException($"The handler cannot digest '{@event.Title}'.");
        if (@event.Title.StartsWith("flaky", StringComparison.Ordinal) && faults.FirstTry(context.EventId))
            throw new TimeoutException("A passing failure.");

        db.SeenTasks.Add(new SeenTask { TaskId = @event.TaskId, EventId = context.EventId, Sequence = context.Sequence, Title = @event.Title });

        if (faults.HoldOn is { } title && @event.Title == title)
        {
            // Written but not committed: the test kills the process here, or lets it go on.
            await db.SaveChangesAsync(ct);
            Console.WriteLine($"HOLDING {@event.TaskId}");
            await faults.HeldAsync(ct);
        }
    }
}

public sealed class HandlerFaults
{
    readonly HashSet<Guid> _failedOnce = [];

    readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>A title whose handling stops before the commit and waits to be killed or <see cref="Release"/>d.</summary>
    public string? HoldOn { get; set; }

    public Task HeldAsync(CancellationToken ct) => _release.Task.WaitAsync(ct);

    /// <summary>Lets the held handler go on and commit.</summary>
    public void Release() => _release.TrySetResult();

    public bool FirstTry(Guid eventId)
    {
        lock (_failedOnce) return _failedOnce.Add(eventId);
    }
}
