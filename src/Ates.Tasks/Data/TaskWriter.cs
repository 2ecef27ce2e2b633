using System.Collections.Concurrent;
using System.Diagnostics;
using Ates.Messaging;
using Ates.Messaging.Outbox;
using Ates.ServiceDefaults.Hosting;
using Ates.Tasks.Domain;
using Ates.Tasks.Hosting;

namespace Ates.Tasks.Data;

/// <summary>
/// A write of task events from a request, run in a <see cref="TaskTurn"/>. It decides before it changes anything: a
/// refusal leaves the turn as it found it. It does not save; the turn does, for everyone in it.
/// </summary>
public delegate Task<Outcome<PopugTask>> TaskWriteStep(TaskTurn turn, CancellationToken ct);

/// <summary>
/// The requests' task writes, taken in turns (a group commit): the writes that arrive while one turn holds the task log
/// lock go together in the next, as one transaction with one save. The lock is still taken once per turn and every
/// write's events are stamped inside it, so the task log keeps its order; what a turn saves is the round trips and
/// commits of its writes but one. A turn that fails before its commit is run again one write at a time, so a failing
/// write costs only itself; a failed commit fails them all, as its outcome is not known.
/// </summary>
public sealed class TaskWriter(IServiceScopeFactory scopes, TasksOptions options, ILogger<TaskWriter> log)
{
    readonly ConcurrentQueue<Waiting> _waiting = new();
    int _running;

    /// <summary>
    /// Runs <paramref name="step"/> in the next turn. <paramref name="ct"/> withdraws it while it waits; once its turn
    /// has begun it runs to the commit, so its outcome is never unknown to the caller who stays.
    /// </summary>
    public Task<Outcome<PopugTask>> WriteAsync(TaskWriteStep step, CancellationToken ct)
    {
        var waiting = new Waiting(step, Activity.Current, ct);
        _waiting.Enqueue(waiting);
        if (Interlocked.CompareExchange(ref _running, 1, 0) == 0)
        {
            // The turns run on their own, not in the context (trace, request) of whoever started them.
            using (ExecutionContext.SuppressFlow()) _ = Task.Run(RunTurnsAsync, CancellationToken.None);
        }
        return waiting.Done.Task;
    }

    async Task RunTurnsAsync()
    {
        while (true)
        {
            var turn = Next(Math.Max(1, options.WriteTurnSize));
            if (turn.Count > 0)
            {
                await RunAsync(turn);
                continue;
            }
            Volatile.Write(ref _running, 0);
            // A write queued after Next found none, but before the flag fell, started no runner of its own.
            if (_waiting.IsEmpty || Interlocked.CompareExchange(ref _running, 1, 0) != 0) return;
        }
    }

    List<Waiting> Next(int most)
    {
        var turn = new List<Waiting>();
        while (turn.Count < most && _waiting.TryDequeue(out var waiting))
        {
            if (waiting.Withdrawn.IsCancellationRequested) waiting.Done.TrySetCanceled(waiting.Withdrawn);
            else turn.Add(waiting);
        }
        return turn;
    }

    async Task RunAsync(List<Waiting> turn)
    {
        if (turn.Count > 1)
        {
            try
            {
                await CommitAsync(turn);
                return;
            }
            catch (CommitFailed e)
            {
                // Whether it committed is not known: running the writes again could create a task twice.
                foreach (var waiting in turn) waiting.Done.TrySetException(e.InnerException!);
                return;
            }
            catch (Exception e)
            {
                log.LogWarning(e, "A turn of {Count} task writes failed before its commit; running them one at a time", turn.Count);
            }
        }
        foreach (var waiting in turn)
        {
            try
            {
                await CommitAsync([waiting]);
            }
            catch (Exception e)
            {
                waiting.Done.TrySetException(e is CommitFailed ? e.InnerException! : e);
            }
        }
    }

    async Task CommitAsync(List<Waiting> writes)
    {
        await using var scope = scopes.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var db = services.GetRequiredService<TasksDb>();
        await using var transaction = await db.BeginTaskWriteAsync(CancellationToken.None);
        var turn = new TaskTurn(db, services.GetRequiredService<IOutbox>(), services.GetRequiredService<BillingCalendar>());
        // A turn of one write is part of its request's trace; a turn of many is a span of its own, linked to each.
        using var span = writes.Count == 1 ? null
            : MessagingActivities.StartBatch("write tasks", ActivityKind.Internal, "tasks", writes.Select(w => w.Activity?.Id), writes.Count);
        var outcomes = new Outcome<PopugTask>[writes.Count];
        for (var i = 0; i < writes.Count; i++)
        {
            // Each write's events belong to the trace of the request that asked for it.
            Activity.Current = writes[i].Activity;
            outcomes[i] = await writes[i].Step(turn, CancellationToken.None);
        }
        Activity.Current = span ?? writes[0].Activity;
        await db.SaveChangesAsync(CancellationToken.None);
        try
        {
            await transaction.CommitAsync(CancellationToken.None);
        }
        catch (Exception e)
        {
            throw new CommitFailed(e);
        }
        for (var i = 0; i < writes.Count; i++) writes[i].Done.TrySetResult(outcomes[i]);
    }

    sealed class CommitFailed(Exception inner) : Exception("The commit of a turn of task writes failed.", inner);

    sealed record Waiting(TaskWriteStep Step, Activity? Activity, CancellationToken Withdrawn)
    {
        public TaskCompletionSource<Outcome<PopugTask>> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

/// <summary>
/// One turn of task writes: the database and outbox they share, and what cannot change while the turn holds the task
/// log lock (the last closed day, the eligible popugs), read once for all of them.
/// </summary>
public sealed class TaskTurn(TasksDb db, IOutbox outbox, BillingCalendar calendar)
{
    DateOnly? _lastClosed;
    bool _lastClosedRead;
    int? _eligible;

    public TasksDb Db => db;

    public IOutbox Outbox => outbox;

    /// <summary>The billing day of a task event written at <paramref name="now"/> (<see cref="TaskLog.BillingDayAsync"/>).</summary>
    public async Task<DateOnly> BillingDayAsync(DateTimeOffset now, CancellationToken ct)
    {
        if (!_lastClosedRead)
        {
            _lastClosed = await db.LastClosedDayAsync(ct);
            _lastClosedRead = true;
        }
        return calendar.CurrentDay(_lastClosed, now);
    }

    /// <summary>A random eligible popug (<see cref="Assignees.EligibleAtAsync"/>), their number counted once a turn.</summary>
    public async Task<Guid?> PickAssigneeAsync(IRandomPick random, CancellationToken ct)
    {
        _eligible ??= await db.EligibleCountAsync(ct);
        return _eligible == 0 ? null : await db.EligibleAtAsync(random.Next(_eligible.Value), ct);
    }
}
