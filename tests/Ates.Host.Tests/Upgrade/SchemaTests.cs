using Ates.Messaging.DeadLetters;
using Ates.ServiceDefaults.Schema;
using Ates.Tasks;
using Ates.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Ates.Host.Tests.Upgrade;

/// <summary>Every service's migrations on SQLite and PostgreSQL: complete, apart per provider, and how a service starts on them.</summary>
public sealed class SchemaTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>, IDisposable
{
    readonly string _folder = Directory.CreateTempSubdirectory("ates-schema-").FullName;
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string, string> EveryDatabase()
    {
        var data = new TheoryData<string, string>();
        foreach (var service in ServiceDatabases.Services)
        foreach (var provider in new[] { "sqlite", "postgres" })
            data.Add(service, provider);
        return data;
    }

    async Task<string> FreshAsync(string service, string provider) => provider == "sqlite"
        ? $"sqlite:{Path.Combine(_folder, $"{service}-{Guid.NewGuid():N}.db")}"
        : $"postgres:{await postgres.CreateUniqueDatabaseAsync(service, Ct)}";

    [Theory, MemberData(nameof(EveryDatabase))]
    public async Task The_migrations_make_the_whole_model_and_only_the_providers_own_are_taken(string service, string provider)
    {
        await using var db = ServiceDatabases.Open(service, await FreshAsync(service, provider));
        var folder = provider == "sqlite" ? ".Migrations.Sqlite" : ".Migrations.Postgres";
        var migrations = db.GetService<IMigrationsAssembly>().Migrations;
        Assert.NotEmpty(migrations);
        Assert.All(migrations.Values, m => Assert.EndsWith(folder, m.Namespace));
        Assert.EndsWith(folder, db.GetService<IMigrationsAssembly>().ModelSnapshot!.GetType().Namespace);
        Assert.False(db.Database.HasPendingModelChanges(),
            $"{db.GetType().Name}'s model on {provider} has changes no migration makes: scripts/add-migration.sh {db.GetType().Name[..^2]} <Name>");

        await db.Database.MigrateAsync(Ct);
        Assert.Equal(migrations.Keys, await db.Database.GetAppliedMigrationsAsync(Ct));
    }

    [Theory, MemberData(nameof(EveryDatabase))]
    public async Task A_database_created_before_migrations_is_taken_as_at_the_baseline_and_keeps_its_rows(string service, string provider)
    {
        var database = await FreshAsync(service, provider);
        var kept = Guid.NewGuid();
        await using (var db = ServiceDatabases.Open(service, database))
        {
            // What the releases before migrations made at start (EnsureCreated): the baseline's tables, and no history.
            await db.GetService<IMigrator>().MigrateAsync(db.Database.GetMigrations().First(), Ct);
            await db.Database.ExecuteSqlRawAsync("DROP TABLE \"__EFMigrationsHistory\"", Ct);
            db.Set<DeadLetter>().Add(new DeadLetter { Id = kept, Body = "{}", Reason = "kept across the adoption", FailedAt = DateTime.UtcNow });
            await db.SaveChangesAsync(Ct);
        }

        var applied = await ServiceDatabases.Schema(service, database, migrateOnStart: true).MigrateAsync(Ct);

        await using var after = ServiceDatabases.Open(service, database);
        // Taken as at the baseline: only the later migrations are applied, none of the baseline's tables twice.
        Assert.Equal(after.Database.GetMigrations().Skip(1), applied);
        Assert.Equal(after.Database.GetMigrations(), await after.Database.GetAppliedMigrationsAsync(Ct));
        Assert.Equal("kept across the adoption", (await after.Set<DeadLetter>().SingleAsync(d => d.Id == kept, Ct)).Reason);
    }

    [Fact]
    public async Task On_postgresql_a_service_refuses_a_schema_that_is_behind_until_its_migrate_command_ran()
    {
        var database = await FreshAsync("tasks", "postgres");
        await using (var refused = TasksApp(database))
        {
            var e = await Assert.ThrowsAsync<SchemaBehindException>(() => refused.StartAsync(Ct));
            Assert.Contains("migrate", e.Message);
            Assert.Contains("Tasks:MigrateOnStart", e.Message);
        }

        await using (var command = TasksApp(database))
        {
            var output = new StringWriter();
            Assert.Equal(0, await MigrateCommand.RunAsync(command.Services, output));
            Assert.StartsWith("migrate: applied ", output.ToString());
            output.GetStringBuilder().Clear();
            Assert.Equal(0, await MigrateCommand.RunAsync(command.Services, output));
            Assert.Equal("migrate: the schema is up to date.", output.ToString().Trim());
        }

        await using var started = TasksApp(database);
        await started.StartAsync(Ct);
        using var health = new HttpClient();
        Assert.Equal(System.Net.HttpStatusCode.OK, (await health.GetAsync($"{ServiceBuilders.AddressOf(started)}/health/live", Ct)).StatusCode);
        await started.StopAsync(Ct);
    }

    static WebApplication TasksApp(string database)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Development" });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Tasks:Database"] = database,
            ["Tasks:SignIn:Authority"] = "http://localhost/",
            ["Tasks:SignIn:ClientId"] = "tasks",
            ["Tasks:SignIn:RequireHttpsMetadata"] = "false",
        });
        builder.AddTasks();
        var app = builder.Build();
        app.MapTasks();
        return app;
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }
}
