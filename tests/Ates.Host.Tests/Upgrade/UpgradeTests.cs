using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ates.LocalServers;
using Ates.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Ates.Host.Tests.Upgrade;

/// <summary>
/// The upgrade path of a deployment. The fixture (Upgrade/Baseline/&lt;provider&gt;.json) holds every row of every
/// service's database at its first migration, as a working day left them through the APIs (two days: tasks created,
/// shuffled, completed, one day closed and paid out), and what the APIs answered then. The test creates each database
/// at its first migration, loads those rows, migrates with the current release, finds every row still there, starts
/// the system on them, gets the same answers, and works on.
/// </summary>
public sealed class UpgradeTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>, IDisposable
{
    readonly string _data = Directory.CreateTempSubdirectory("ates-upgrade-").FullName;
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Read as admin after the fill and again after the upgrade; none depends on today's date.</summary>
    static readonly string[] Answers = ["auth/api/users", "tasks/api/tasks?limit=1000", "accounting/api/accounts", "accounting/api/earnings"];

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Databases_at_their_first_migration_upgrade_to_the_newest_with_nothing_lost(string provider)
    {
        var fixture = JsonNode.Parse(await File.ReadAllTextAsync(FixtureFile(provider), Ct))!.AsObject();
        var databases = await FreshDatabasesAsync(provider);
        foreach (var service in ServiceDatabases.Services)
        {
            await using (var db = ServiceDatabases.Open(service, databases[service]))
            {
                var first = fixture["migrations"]![service]!.GetValue<string>();
                Assert.Equal(first, db.Database.GetMigrations().First());
                await db.GetService<IMigrator>().MigrateAsync(first, Ct);
            }
            await DatabaseRows.LoadAsync(databases[service], fixture["databases"]![service]!.AsObject(), Ct);

            // The deployment's migrate step (the service's migrate command).
            await ServiceDatabases.Schema(service, databases[service], migrateOnStart: true).MigrateAsync(Ct);

            var after = await DatabaseRows.DumpAsync(databases[service], Ct);
            foreach (var (table, rows) in fixture["databases"]![service]!.AsObject())
            foreach (var row in rows!.AsArray().Cast<JsonObject>())
                Assert.True(after[table]?.AsArray().Any(r => Same(row, r!.AsObject())) == true,
                    $"{service}.{table} lost a row in the upgrade: {row.ToJsonString()}");
        }

        await using var system = await StartAsync(provider, databases);
        using var admin = await ApiAsync(system, "admin@popug.inc");
        var answers = fixture["answers"]!.AsObject();
        foreach (var path in Answers)
            Assert.Equal(Normalized(answers[path]!), Normalized(JsonNode.Parse(await admin.GetStringAsync(path, Ct))!));

        // And it works on: an open task completed after the upgrade is paid (the event logs go on past their last sequence).
        var again = await CompleteAsync(system, admin, 1);
        await RewardedAsync(admin, again[0].Task, again[0].Assignee);
    }

    /// <summary>
    /// Takes the fixture: run it once on the release of the first migrations (it refuses on a later one, whose schema
    /// the fixture would not be at). <c>dotnet test --filter "FullyQualifiedName~Takes_the_baseline_fixture"</c>
    /// with xunit's explicit tests switched on.
    /// </summary>
    [Theory(Explicit = true)]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Takes_the_baseline_fixture(string provider)
    {
        var databases = await FreshDatabasesAsync(provider);
        var migrations = new JsonObject();
        foreach (var service in ServiceDatabases.Services)
        {
            await using var db = ServiceDatabases.Open(service, databases[service]);
            var all = db.Database.GetMigrations().ToList();
            Assert.True(all.Count == 1, $"{service} has {all.Count} migrations: the fixture is taken at the first, by the release that has only it.");
            migrations[service] = all[0];
        }

        var answers = new JsonObject();
        await using (var system = await StartAsync(provider, databases))
        {
            using var admin = await ApiAsync(system, "admin@popug.inc");
            await WorkAsync(system, admin);
            foreach (var path in Answers) answers[path] = JsonNode.Parse(await admin.GetStringAsync(path, Ct));
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();

        var dumps = new JsonObject();
        foreach (var service in ServiceDatabases.Services) dumps[service] = await DatabaseRows.DumpAsync(databases[service], Ct);
        var fixture = new JsonObject { ["migrations"] = migrations, ["answers"] = answers, ["databases"] = dumps };
        await File.WriteAllTextAsync(SourceFixtureFile(provider), fixture.ToJsonString(new JsonSerializerOptions(JsonSerializerOptions.Default) { WriteIndented = true }) + "\n", Ct);
    }

    /// <summary>Two working days through the APIs: the first closed and paid out, the second left open.</summary>
    async Task WorkAsync(AtesSystem system, HttpClient admin)
    {
        using var manager = await ApiAsync(system, "manager@popug.inc");
        await Eventually.UntilAsync(async () =>
        {
            using var response = await manager.PostAsync("tasks/api/tasks", Json(new { title = "Sharpen the beaks" }), Ct);
            return response.IsSuccessStatusCode;
        }, TimeSpan.FromSeconds(30), "Tasks should accept a task once it knows the workers", Ct);
        for (var i = 1; i <= 5; i++) (await manager.PostAsync("tasks/api/tasks", Json(new { title = $"Count the grain, bin {i}" }), Ct)).EnsureSuccessStatusCode();
        (await manager.PostAsync("tasks/api/tasks/shuffle", null, Ct)).EnsureSuccessStatusCode();
        var completed = await CompleteAsync(system, admin, 3);

        using var accountant = await ApiAsync(system, "accountant@popug.inc");
        var day = (await accountant.GetFromJsonAsync<JsonElement>("tasks/api/days/open", Ct)).GetProperty("day").GetString();
        (await accountant.PostAsync("tasks/api/days/close", Json(new { day }), Ct)).EnsureSuccessStatusCode();
        await Eventually.UntilAsync(async () => (await accountant.GetStringAsync("accounting/api/earnings", Ct)).Contains($"\"{day}\""),
            TimeSpan.FromSeconds(30), "Accounting should close the first day", Ct);

        for (var i = 1; i <= 2; i++) (await manager.PostAsync("tasks/api/tasks", Json(new { title = $"Mend the nest, part {i}" }), Ct)).EnsureSuccessStatusCode();
        completed.AddRange(await CompleteAsync(system, admin, 1));
        // Every completion is rewarded before the fixture is read.
        foreach (var (task, assignee) in completed) await RewardedAsync(admin, task, assignee);
    }

    /// <summary>Waits until the assignee's audit log shows the task's reward.</summary>
    static Task RewardedAsync(HttpClient admin, Guid task, Guid assignee) => Eventually.UntilAsync(async () =>
    {
        var account = JsonNode.Parse(await admin.GetStringAsync($"accounting/api/accounts/{assignee}", Ct))!;
        return Objects(account).Any(o => o["kind"]?.GetValue<string>() == "reward" && o["task_id"]?.GetValue<string>() == task.ToString());
    }, TimeSpan.FromSeconds(30), $"Accounting should reward task {task} to {assignee}", Ct);

    static IEnumerable<JsonObject> Objects(JsonNode? node) => node switch
    {
        JsonObject o => o.Select(p => p.Value).SelectMany(Objects).Prepend(o),
        JsonArray a => a.SelectMany(Objects),
        _ => [],
    };

    /// <summary>Completes the given number of open tasks, each by its assignee.</summary>
    static async Task<List<(Guid Task, Guid Assignee)>> CompleteAsync(AtesSystem system, HttpClient admin, int count)
    {
        var completed = new List<(Guid, Guid)>();
        var users = JsonNode.Parse(await admin.GetStringAsync("auth/api/users", Ct))!;
        var open = (await admin.GetFromJsonAsync<JsonElement>("tasks/api/tasks?status=open&limit=1000", Ct)).GetProperty("tasks").EnumerateArray().Take(count).ToList();
        foreach (var task in open)
        {
            using var worker = await ApiAsync(system, EmailOf(users, task.GetProperty("assignee_id").GetGuid()));
            (await worker.PostAsync($"tasks/api/tasks/{task.GetProperty("id").GetGuid()}/complete", null, Ct)).EnsureSuccessStatusCode();
            completed.Add((task.GetProperty("id").GetGuid(), task.GetProperty("assignee_id").GetGuid()));
        }
        return completed;
    }

    static string EmailOf(JsonNode users, Guid id) =>
        users.AsArray().Single(u => u!["id"]!.GetValue<string>() == id.ToString())!["email"]!.GetValue<string>();

    async Task<Dictionary<string, string>> FreshDatabasesAsync(string provider)
    {
        var databases = new Dictionary<string, string>();
        foreach (var service in ServiceDatabases.Services)
            databases[service] = provider == "sqlite"
                ? $"sqlite:{Path.Combine(_data, $"{service}.db")}"
                : $"postgres:{await postgres.CreateUniqueDatabaseAsync(service, Ct)}";
        return databases;
    }

    Task<AtesSystem> StartAsync(string provider, Dictionary<string, string> databases)
    {
        var settings = new Dictionary<string, string?>();
        foreach (var (service, database) in databases)
        {
            var section = char.ToUpperInvariant(service[0]) + service[1..];
            settings[$"{section}:Database"] = database;
            settings[$"{section}:MigrateOnStart"] = provider == "postgres" ? "true" : null;
        }
        return DemoSystem.StartAsync(_data, settings);
    }

    static Task<HttpClient> ApiAsync(AtesSystem system, string email) => DemoSystem.ApiAsync(system, email, Ct);

    static StringContent Json(object body) => new(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");

    /// <summary>A row is kept when every column it had still has its value (a later migration may add columns).</summary>
    static bool Same(JsonObject before, JsonObject after) =>
        before.All(c => JsonNode.DeepEquals(c.Value, after[c.Key]));

    static string Normalized(JsonNode node) => node.ToJsonString();

    static string FixtureFile(string provider) => Path.Combine(AppContext.BaseDirectory, "Upgrade", "Baseline", $"{provider}.json");

    static string SourceFixtureFile(string provider, [CallerFilePath] string source = "") =>
        Path.Combine(Path.GetDirectoryName(source)!, "Baseline", $"{provider}.json");

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_data, recursive: true); } catch (IOException) { }
    }
}
