using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ates.ServiceDefaults.Schema;

/// <summary>The schema of a service's database, brought up to date by its migrations or checked to be.</summary>
public interface IServiceSchema
{
    /// <summary>Applies the migrations the database lacks; returns their ids (none if it was up to date).</summary>
    Task<IReadOnlyList<string>> MigrateAsync(CancellationToken ct);

    /// <summary>
    /// At start: migrates where the service's setting says so, by default on SQLite (the one-process mode); else
    /// refuses a database whose schema is behind.
    /// </summary>
    Task PrepareAsync(CancellationToken ct);
}

/// <summary>A schema that is behind the service's migrations, in a mode that does not migrate on start.</summary>
public sealed class SchemaBehindException(string message) : InvalidOperationException(message);

public sealed class ServiceSchema<TDb>(IServiceProvider services, bool? migrateOnStart, string section, ILogger<ServiceSchema<TDb>> log) : IServiceSchema
    where TDb : DbContext
{
    /// <summary>
    /// The advisory lock instances starting together take turns on. EF Core's own migration lock on PostgreSQL lasts one
    /// migration's transaction: between two migrations another instance got in and applied the second again.
    /// </summary>
    const long MigrationLock = 0x61746573_6d696772; // "atesmigr"

    public async Task<IReadOnlyList<string>> MigrateAsync(CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TDb>();
        var postgres = db.Database.IsNpgsql();
        if (postgres)
        {
            // One connection for the lock and the migrations, so the session-level lock holds across their transactions.
            await db.Database.OpenConnectionAsync(ct);
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_lock({MigrationLock})", ct);
        }
        try
        {
            await AdoptCreatedSchemaAsync(db, ct);
            var pending = (await db.Database.GetPendingMigrationsAsync(ct)).ToList();
            await db.Database.MigrateAsync(ct);
            if (db.Database.IsSqlite()) await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);
            if (pending.Count > 0) log.LogInformation("{Context}: applied the migrations {Migrations}", typeof(TDb).Name, string.Join(", ", pending));
            return pending;
        }
        finally
        {
            if (postgres)
            {
                await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_unlock({MigrationLock})", CancellationToken.None);
                await db.Database.CloseConnectionAsync();
            }
        }
    }

    public async Task PrepareAsync(CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TDb>();
        if (migrateOnStart ?? db.Database.IsSqlite())
        {
            await MigrateAsync(ct);
            return;
        }
        var pending = (await db.Database.GetPendingMigrationsAsync(ct)).ToList();
        if (pending.Count > 0)
            throw new SchemaBehindException(
                $"The {typeof(TDb).Name} database lacks {pending.Count} migration(s) of this release ({string.Join(", ", pending)}). " +
                $"Run 'dotnet Ates.{section}.dll migrate' with this service's settings first, or set {section}:MigrateOnStart=true.");
    }

    /// <summary>
    /// A database created before aTES had migrations (by EnsureCreated) has the tables of the baseline migration and no
    /// migration history: it is recorded as at the baseline, so that migrating goes on from there instead of creating
    /// the tables again. Such a database comes from the release the baseline was taken from (see docs/operations.md).
    /// </summary>
    static async Task AdoptCreatedSchemaAsync(TDb db, CancellationToken ct)
    {
        if (!await db.Database.CanConnectAsync(ct) || (await db.Database.GetAppliedMigrationsAsync(ct)).Any()) return;
        // A table of the model, not just any table: a first migrate that failed half-way may have left only its history.
        var table = db.Model.GetEntityTypes().Select(e => e.GetTableName()).First(t => t is not null)!;
        if (!await TableExistsAsync(db, table, ct)) return;
        var baseline = db.Database.GetMigrations().FirstOrDefault()
            ?? throw new InvalidOperationException($"{typeof(TDb).Name} has no migrations for {db.Database.ProviderName}.");
        var history = db.GetService<IHistoryRepository>();
        // EF Core's own scripts for its history table; nothing in them comes from outside.
#pragma warning disable EF1003
        await db.Database.ExecuteSqlRawAsync(history.GetCreateIfNotExistsScript() + history.GetInsertScript(new HistoryRow(baseline, ProductInfo.GetVersion())), ct);
#pragma warning restore EF1003
    }

    static async Task<bool> TableExistsAsync(TDb db, string table, CancellationToken ct) =>
        await (db.Database.IsSqlite()
            ? db.Database.SqlQuery<int>($"SELECT COUNT(*) AS \"Value\" FROM sqlite_master WHERE type = 'table' AND name = {table}")
            : db.Database.SqlQuery<int>($"SELECT COUNT(*)::int AS \"Value\" FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = {table}"))
            .SingleAsync(ct) > 0;
}

public static class ServiceSchemaRegistration
{
    /// <summary>
    /// The service's schema, prepared before anything else of it starts (register first): migrated on start where
    /// <paramref name="migrateOnStart"/> says so, by default on SQLite (the one-process mode); on PostgreSQL by default
    /// the service refuses to start until its <c>migrate</c> command has brought the schema up to date.
    /// </summary>
    public static IServiceCollection AddServiceSchema<TDb>(this IServiceCollection services, bool? migrateOnStart, string section)
        where TDb : DbContext
    {
        services.AddSingleton<IServiceSchema>(sp => new ServiceSchema<TDb>(sp, migrateOnStart, section, sp.GetRequiredService<ILogger<ServiceSchema<TDb>>>()));
        services.AddHostedService<SchemaInitializer>();
        return services;
    }
}
