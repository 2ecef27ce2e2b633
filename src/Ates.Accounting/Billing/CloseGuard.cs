using Ates.Accounting.Data;
using Microsoft.EntityFrameworkCore;

namespace Ates.Accounting.Billing;

/// <summary>
/// Keeps postings and closes of one database apart without making postings take turns. A transaction that posts
/// holds the guard shared; a close holds it alone. So a close never sums a day while a posting into that day is in
/// flight in another instance, and a posting reads which days are closed only once no close is half done. Postings
/// share it with each other, so two instances post at the same time. PostgreSQL: a transaction-scoped advisory lock;
/// SQLite has one writer at a time already (a transaction begins with the write lock), so there it is nothing.
/// </summary>
public static class CloseGuard
{
    const long Key = 0x4154_4553_4441_5953; // "ATESDAYS"

    /// <summary>For a transaction that posts: waits for a close in progress, then lets others post alongside.</summary>
    public static Task ShareAsync(AccountingDb db, CancellationToken ct) =>
        db.Database.IsNpgsql() ? db.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_xact_lock_shared({Key})", ct) : Task.CompletedTask;

    /// <summary>
    /// Takes the guard alone if nobody holds it, without waiting: false while another transaction posts or closes (on
    /// PostgreSQL; SQLite's single writer makes it always true).
    /// </summary>
    public static async Task<bool> TryHoldAloneAsync(AccountingDb db, CancellationToken ct) =>
        !db.Database.IsNpgsql()
        || await db.Database.SqlQueryRaw<bool>($"SELECT pg_try_advisory_xact_lock({Key}) AS \"Value\"").SingleAsync(ct);

    /// <summary>For a close: waits until no posting transaction is in flight, and keeps new ones out until its commit.</summary>
    public static Task HoldAloneAsync(AccountingDb db, CancellationToken ct) =>
        db.Database.IsNpgsql() ? db.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_xact_lock({Key})", ct) : Task.CompletedTask;
}
