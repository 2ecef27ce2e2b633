using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Ates.Messaging.Outbox;

/// <summary>Wakes the relay when a transaction that wrote outbox rows commits, so it need not wait for its next poll.</summary>
public sealed class OutboxSignal
{
    // One pending wake-up is enough: the relay reads every waiting row when it runs.
    readonly WakeUp _pending = new();

    public void Notify() => _pending.Set();

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken ct) => _pending.WaitAsync(timeout, ct);
}

/// <summary>
/// Notifies <see cref="OutboxSignal"/> after a save or commit that added outbox rows, and counts them by type
/// (<see cref="MessagingMetrics"/>: the events a service wrote; Accounting's transaction.applied are its postings).
/// </summary>
public sealed class OutboxSignalInterceptor(OutboxSignal signal, MessagingOptions options) : IDbTransactionInterceptor, ISaveChangesInterceptor
{
    // Contexts that staged outbox rows not yet committed, with how many of each type; weak so a disposed context
    // leaves nothing behind.
    readonly System.Runtime.CompilerServices.ConditionalWeakTable<DbContext, Dictionary<string, int>> _staged = [];

    public ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken ct = default)
    {
        if (eventData.Context is { } db) Stage(db);
        return ValueTask.FromResult(result);
    }

    /// <summary>
    /// Outbox rows are only ever added, and an added row is known as such at once: no need to detect changes, which
    /// compares every tracked entity with its snapshot — and SaveChanges does that again right after. In a consumer's
    /// batch, which tracks hundreds of entities, the second scan was a fifth of the one-process host's CPU
    /// (benchmark, docs/benchmarks.md).
    /// </summary>
    void Stage(DbContext db)
    {
        var detect = db.ChangeTracker.AutoDetectChangesEnabled;
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        try
        {
            var counting = MessagingMetrics.Counting;
            Dictionary<string, int>? staged = null;
            foreach (var entry in db.ChangeTracker.Entries<OutboxMessage>())
            {
                if (entry.State != EntityState.Added) continue;
                staged ??= _staged.GetOrCreateValue(db);
                // Nothing counts the rows: knowing that there are some is enough for the signal.
                if (!counting) break;
                staged[entry.Entity.Type] = staged.GetValueOrDefault(entry.Entity.Type) + 1;
            }
        }
        finally
        {
            db.ChangeTracker.AutoDetectChangesEnabled = detect;
        }
    }

    public InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        _ = SavingChangesAsync(eventData, result);
        return result;
    }

    public ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken ct = default)
    {
        if (eventData.Context is { } db && db.Database.CurrentTransaction is null) Flush(db, committed: true);
        return ValueTask.FromResult(result);
    }

    public int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        _ = SavedChangesAsync(eventData, result);
        return result;
    }

    public void SaveChangesFailed(DbContextErrorEventData eventData)
    {
        if (eventData.Context is { } db && db.Database.CurrentTransaction is null) Flush(db, committed: false);
    }

    public Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken ct = default)
    {
        SaveChangesFailed(eventData);
        return Task.CompletedTask;
    }

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken ct = default)
    {
        if (eventData.Context is { } db) Flush(db, committed: true);
        return Task.CompletedTask;
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => _ = TransactionCommittedAsync(transaction, eventData);

    public Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken ct = default)
    {
        if (eventData.Context is { } db) Flush(db, committed: false);
        return Task.CompletedTask;
    }

    public void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => _ = TransactionRolledBackAsync(transaction, eventData);

    void Flush(DbContext db, bool committed)
    {
        if (!_staged.TryGetValue(db, out var staged)) return;
        _staged.Remove(db);
        if (!committed) return;
        foreach (var (type, count) in staged) MessagingMetrics.RecordWritten(options.Service, type, count);
        signal.Notify();
    }
}
