using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Migrations;
using Ates.ServiceDefaults.Schema;
using Microsoft.Extensions.Logging;

namespace Ates.ServiceDefaults.Hosting;

public static class ServiceDatabase
{
    /// <summary>
    /// "sqlite:&lt;file&gt;" (the embedded default; the folder is created) or "postgres:&lt;connection string&gt;".
    /// <paramref name="setting"/> names the configuration key in the error for anything else.
    /// </summary>
    public static DbContextOptionsBuilder UseServiceDatabase(this DbContextOptionsBuilder db, string database, string setting)
    {
        if (database.StartsWith("sqlite:", StringComparison.Ordinal))
        {
            var file = database["sqlite:".Length..];
            if (Path.GetDirectoryName(Path.GetFullPath(file)) is { } folder) Directory.CreateDirectory(folder);
            return db.UseSqlite($"Data Source={file};Default Timeout=30").AddInterceptors(SqliteBusyTimeout.Instance).WithProviderMigrations();
        }
        if (database.StartsWith("postgres:", StringComparison.Ordinal))
            return db.UseNpgsql(database["postgres:".Length..]).WithProviderMigrations();
        throw new InvalidOperationException($"{setting} must be 'sqlite:<file>' or 'postgres:<connection string>', not '{database}'.");
    }

    /// <summary>Each provider's migrations from the service's assembly (<see cref="ProviderMigrations"/>).</summary>
    static DbContextOptionsBuilder WithProviderMigrations(this DbContextOptionsBuilder db) =>
        db.ReplaceService<IMigrationsAssembly, ProviderMigrations>();

    /// <summary>
    /// A writer that finds SQLite's write lock taken waits in SQLite's own busy handler, which retries within a
    /// millisecond or so of the lock's release. Without it Microsoft.Data.Sqlite retries by itself, blocking the
    /// thread in steps of 150 ms: under concurrent writes (the benchmark's working day) threads piled up in
    /// BEGIN IMMEDIATE and the one-process host's throughput fell to a few dozen tasks a second.
    /// </summary>
    sealed class SqliteBusyTimeout : DbConnectionInterceptor
    {
        public static readonly SqliteBusyTimeout Instance = new();

        public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Apply(connection);

        public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken ct)
        {
            Apply(connection);
            return Task.CompletedTask;
        }

        static void Apply(DbConnection connection)
        {
            using var pragma = connection.CreateCommand();
            pragma.CommandText = "PRAGMA busy_timeout = 30000;";
            pragma.ExecuteNonQuery();
        }
    }

    /// <summary>
    /// SQLite has no date-time type with an offset: store DateTimeOffset as a sortable number (UTC ticks), so that
    /// ordering and comparing by time run in the database. Call from ConfigureConventions.
    /// </summary>
    public static void StoreTimesSortablyOnSqlite(this ModelConfigurationBuilder conventions, DatabaseFacade database)
    {
        if (database.IsSqlite()) conventions.Properties<DateTimeOffset>().HaveConversion<DateTimeOffsetToBinaryConverter>();
    }

    /// <summary>
    /// SQLite: refreshes the query planner's statistics where they are stale (<c>PRAGMA optimize</c>, sampling at most
    /// 400 rows an index, so it costs the same on a large database). Without them SQLite sums the open day's ledger
    /// entries by scanning every entry ever posted (the accounts page took 8 ms on day 1 and 20–28 ms on day 30 of a
    /// benchmark); with them it reads that day's only. PostgreSQL keeps its statistics itself (autovacuum). Run after a
    /// commit, it must not fail the work before it: a failure is logged, and the next close tries again.
    /// </summary>
    public static async Task RefreshPlannerStatisticsAsync(this DbContext db, ILogger log, CancellationToken ct)
    {
        if (!db.Database.IsSqlite()) return;
        try
        {
            await db.Database.ExecuteSqlRawAsync("PRAGMA analysis_limit=400; PRAGMA optimize=0x10002;", ct);
        }
        catch (DbException e)
        {
            log.LogWarning(e, "SQLite's planner statistics were not refreshed; the next day close tries again");
        }
    }
}
