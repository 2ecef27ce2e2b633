using Ates.ServiceDefaults.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Ates.Tasks.Data;

/// <summary>
/// Every write of task events runs one at a time. Then sequences follow commit order and each event's time is
/// stamped inside the lock: when the day-closed marker is written (under the same lock), no task event of the
/// closed day is still in flight and none committed later can take a lower sequence.
/// </summary>
public static class TaskLog
{
    const long LockKey = 0x4154_4553_5441_534B; // "ATESTASK"

    // The writes of one process queue here, in memory, rather than each holding a pooled connection while it waits for
    // the lock: a queue of waiters in the database took every connection of the pool (the relay's too) and starved the
    // holder, whose next command then waited behind them.
    static readonly SemaphoreSlim Writer = new(1, 1);

    /// <summary>
    /// Begins the transaction of a task-event write and takes the task log lock: first this process's turn, then the
    /// database's lock (SQLite: BEGIN IMMEDIATE takes its single write lock at once; PostgreSQL: a transaction-scoped
    /// advisory lock), which other instances share.
    /// </summary>
    public static async Task<TaskWrite> BeginTaskWriteAsync(this TasksDb db, CancellationToken ct)
    {
        await Writer.WaitAsync(ct);
        try
        {
            var transaction = await db.Database.BeginTransactionAsync(ct);
            try
            {
                await db.LockTaskLogAsync(ct);
                return new TaskWrite(transaction, Writer);
            }
            catch
            {
                await transaction.DisposeAsync();
                throw;
            }
        }
        catch
        {
            Writer.Release();
            throw;
        }
    }

    /// <summary>
    /// The billing day of a task event written at <paramref name="now"/>: its day, or the day after the last closed one
    /// when that day was closed early. Under the task log lock no close comes between this and the commit, so the day
    /// agrees with the marker that will count the event (DayCloser counts a day's events by the same instant).
    /// </summary>
    public static async Task<DateOnly> BillingDayAsync(this TasksDb db, BillingCalendar calendar, DateTimeOffset now, CancellationToken ct) =>
        calendar.CurrentDay(await db.LastClosedDayAsync(ct), now);

    /// <summary>The last day closed; null before the first close.</summary>
    public static Task<DateOnly?> LastClosedDayAsync(this TasksDb db, CancellationToken ct) => db.ClosedDays.MaxAsync(d => (DateOnly?)d.Day, ct);

    /// <summary>Within a transaction someone else began (the event consumer's): takes the task log lock.</summary>
    public static async Task LockTaskLogAsync(this TasksDb db, CancellationToken ct)
    {
        if (db.Database.IsNpgsql())
            await db.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_xact_lock({LockKey})", ct);
    }
}

/// <summary>A task-event write under the task log lock: the next write's turn comes with its commit, or its rollback when disposed.</summary>
public sealed class TaskWrite(IDbContextTransaction transaction, SemaphoreSlim turn) : IAsyncDisposable
{
    int _released;

    public async Task CommitAsync(CancellationToken ct)
    {
        try
        {
            await transaction.CommitAsync(ct);
        }
        finally
        {
            Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await transaction.DisposeAsync();
        }
        finally
        {
            Release();
        }
    }

    void Release()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0) turn.Release();
    }
}
