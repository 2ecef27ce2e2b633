using System.Reflection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Ates.ServiceDefaults.Schema;

/// <summary>
/// A service's migrations for each database it runs on, side by side in its own assembly: those of SQLite in a
/// namespace ending in <c>.Migrations.Sqlite</c>, those of PostgreSQL in one ending in <c>.Migrations.Postgres</c>.
/// EF Core would otherwise take every migration of the context in the assembly, of both providers at once; this picks
/// the current provider's (and its model snapshot), for the service at run time and for <c>dotnet ef</c> alike.
/// </summary>
public sealed class ProviderMigrations(ICurrentDbContext current) : IMigrationsAssembly
{
    readonly Lazy<(IReadOnlyDictionary<string, TypeInfo> Migrations, ModelSnapshot? Snapshot)> _found = new(() => Find(current.Context));

    /// <summary>The last part of the migrations' namespace for the context's provider.</summary>
    public static string FolderOf(DatabaseFacade database) =>
        database.IsSqlite() ? "Sqlite"
        : database.IsNpgsql() ? "Postgres"
        : throw new InvalidOperationException($"aTES has no migrations for the provider {database.ProviderName}.");

    public IReadOnlyDictionary<string, TypeInfo> Migrations => _found.Value.Migrations;

    public ModelSnapshot? ModelSnapshot => _found.Value.Snapshot;

    public Assembly Assembly => current.Context.GetType().Assembly;

    public string? FindMigrationId(string nameOrId) =>
        Migrations.Keys.FirstOrDefault(id => string.Equals(id, nameOrId, StringComparison.OrdinalIgnoreCase))
        ?? Migrations.Keys.FirstOrDefault(id => string.Equals(id[(id.IndexOf('_') + 1)..], nameOrId, StringComparison.OrdinalIgnoreCase));

    public Migration CreateMigration(TypeInfo migrationClass, string activeProvider)
    {
        var migration = (Migration)Activator.CreateInstance(migrationClass.AsType())!;
        migration.ActiveProvider = activeProvider;
        return migration;
    }

    static (IReadOnlyDictionary<string, TypeInfo>, ModelSnapshot?) Find(DbContext db)
    {
        var context = db.GetType();
        var suffix = $".Migrations.{FolderOf(db.Database)}";
        var ofContext = context.Assembly.DefinedTypes
            .Where(t => !t.IsAbstract && !t.IsGenericTypeDefinition)
            .Where(t => t.Namespace?.EndsWith(suffix, StringComparison.Ordinal) == true
                        && t.GetCustomAttribute<DbContextAttribute>()?.ContextType == context)
            .ToList();
        var migrations = ofContext
            .Where(t => t.IsSubclassOf(typeof(Migration)) && t.GetCustomAttribute<MigrationAttribute>() is not null)
            .Select(t => (Id: t.GetCustomAttribute<MigrationAttribute>()!.Id, Type: t))
            .OrderBy(m => m.Id, StringComparer.Ordinal)
            .ToDictionary(m => m.Id, m => m.Type);
        var snapshot = ofContext.FirstOrDefault(t => t.IsSubclassOf(typeof(ModelSnapshot))) is { } type
            ? (ModelSnapshot)Activator.CreateInstance(type.AsType())!
            : null;
        return (migrations, snapshot);
    }
}
