using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Ates.Auth;
using Ates.Messaging.Outbox;
using Ates.Messaging.Transports.Embedded;
using Ates.ServiceDefaults.Users;
using Ates.Tasks.Data;
using Ates.Tasks.Domain;
using Ates.LocalServers;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Ates.Tasks.Tests;

/// <summary>
/// The real Auth and the real Tasks in one process on one embedded bus, as the one-process host runs them: each with
/// its own SQLite file, Auth seeding the demo company (whose user events build Tasks' replica), tokens from Auth's
/// password grant. Tasks' clock is a <see cref="FakeTimeProvider"/>; its random pick may be scripted.
/// </summary>
public sealed class TasksSystem : IAsyncDisposable
{
    public const string Password = "popug-test-beak";
    readonly string _folder = Directory.CreateTempSubdirectory("ates-tasks-tests-").FullName;
    public EmbeddedBus Bus { get; } = new();
    public WebApplication Auth { get; private set; } = null!;
    public WebApplication Tasks { get; private set; } = null!;
    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 3, 3, 9, 0, 0, TimeSpan.Zero));
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    PostgresServer? _postgres;

    /// <summary>The PostgreSQL server of a system started on it.</summary>
    public PostgresServer? Postgres => _postgres;

    /// <param name="database">"sqlite" (a file of its own) or "postgres" (a private PostgreSQL server started for it).</param>
    public static async Task<TasksSystem> StartAsync(IRandomPick? random = null, string daySchedule = "", string timeZone = "UTC", string database = "sqlite",
        int shuffleChunkSize = 500)
    {
        var system = new TasksSystem();
        await system.StartInternalAsync(random, daySchedule, timeZone, database, shuffleChunkSize);
        return system;
    }

    async Task StartInternalAsync(IRandomPick? random, string daySchedule, string timeZone, string database, int shuffleChunkSize)
    {
        var tasksDatabase = $"sqlite:{Path.Combine(_folder, "tasks.db")}";
        if (database == "postgres")
        {
            _postgres = await PostgresServer.StartAsync(Ct);
            await _postgres.CreateDatabaseAsync("tasks", Ct);
            tasksDatabase = $"postgres:{_postgres.ConnectionString("tasks")}";
        }
        // Tasks first: its consumer is declared on the bus before Auth publishes the demo company.
        var tasks = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Development" });
        tasks.WebHost.UseTestServer();
        tasks.Logging.ClearProviders();
        if (Environment.GetEnvironmentVariable("ATES_TEST_LOGS") == "1") tasks.Logging.AddSimpleConsole();
        tasks.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Tasks:Database"] = tasksDatabase,
            ["Tasks:MigrateOnStart"] = "true",
            ["Tasks:TimeZone"] = timeZone,
            ["Tasks:DayClose:Schedule"] = daySchedule,
            ["Tasks:ShuffleChunkSize"] = shuffleChunkSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Tasks:SignIn:Authority"] = "http://localhost/",
            ["Tasks:SignIn:ClientId"] = "tasks",
            ["Tasks:SignIn:RequireHttpsMetadata"] = "false",
        });
        tasks.AddTasks(Bus);
        tasks.Services.AddSingleton<TimeProvider>(Clock);
        if (random is not null) tasks.Services.AddSingleton(random);

        var auth = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Development" });
        auth.WebHost.UseTestServer();
        auth.Logging.ClearProviders();
        if (Environment.GetEnvironmentVariable("ATES_TEST_LOGS") == "1") auth.Logging.AddSimpleConsole();
        auth.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Auth:Database"] = $"sqlite:{Path.Combine(_folder, "auth.db")}",
            ["Auth:Keys"] = "ephemeral",
            ["Auth:RequireHttps"] = "false",
            ["Auth:Demo:Seed"] = "true",
            ["Auth:Demo:Password"] = Password,
        });
        auth.AddAuth(Bus);
        Auth = auth.Build();
        Auth.MapAuth();
        await Auth.StartAsync(Ct);

        tasks.Services.Configure<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme,
            o => o.BackchannelHttpHandler = Auth.GetTestServer().CreateHandler());
        Tasks = tasks.Build();
        Tasks.MapTasks();
        await Tasks.StartAsync(Ct);

        // The demo company: 13 users, known to Tasks once their user.created events are handled.
        try
        {
            await Eventually.UntilAsync(async () => await DbAsync(db => db.Users.CountAsync(u => u.EntityVersion > 0)) == 13,
                TimeSpan.FromSeconds(30), "Tasks should learn the demo company from Auth's user events", Ct);
        }
        catch (TimeoutException e)
        {
            await using var scope = Auth.Services.CreateAsyncScope();
            var authDb = scope.ServiceProvider.GetRequiredService<Ates.Auth.Data.AuthDb>();
            var outbox = await authDb.Set<OutboxMessage>().AsNoTracking().ToListAsync(Ct);
            var dead = await DbAsync(db => db.Set<Ates.Messaging.DeadLetters.DeadLetter>().AsNoTracking().ToListAsync());
            var inbox = await DbAsync(db => db.Set<Ates.Messaging.Inbox.InboxMessage>().CountAsync());
            throw new TimeoutException($"{e.Message}; auth outbox {outbox.Count} (published {outbox.Count(m => m.PublishedAt != null)}, " +
                $"errors: {string.Join(" | ", outbox.Select(m => m.LastError).Distinct())}); tasks inbox {inbox}; dead letters: {string.Join(" | ", dead.Select(d => d.Reason))}", e);
        }
    }

    public Task<string> TokenAsync(string email) => PasswordGrant.TokenAsync(Auth.GetTestClient(), email, Password, Ct);

    /// <summary>An API client of Tasks signed in as <paramref name="email"/> (null: no token).</summary>
    public async Task<HttpClient> ApiAsync(string? email)
    {
        var client = Tasks.GetTestClient();
        if (email is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await TokenAsync(email));
        return client;
    }

    /// <summary>An API client of Auth as its admin (to deactivate users and change roles).</summary>
    public async Task<HttpClient> AuthAdminAsync()
    {
        var client = Auth.GetTestClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await TokenAsync("admin@popug.inc"));
        return client;
    }

    public async Task<T> DbAsync<T>(Func<TasksDb, Task<T>> query)
    {
        await using var scope = Tasks.Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<TasksDb>());
    }

    public Task<Guid> UserIdAsync(string email) => DbAsync(db => db.Users.Where(u => u.Email == email).Select(u => u.Id).SingleAsync());

    public Task<KnownUser> UserAsync(Guid id) => DbAsync(db => db.Users.AsNoTracking().SingleAsync(u => u.Id == id));

    /// <summary>Tasks' event log (its outbox), oldest first, optionally after a sequence.</summary>
    public Task<List<OutboxMessage>> EventsAsync(long after = 0) =>
        DbAsync(db => db.Set<OutboxMessage>().AsNoTracking().Where(m => m.Sequence > after).OrderBy(m => m.Sequence).ToListAsync());

    public async Task<long> LastSequenceAsync() => (await EventsAsync()).LastOrDefault()?.Sequence ?? 0;

    public static T Data<T>(OutboxMessage message) => (T)Ates.Contracts.EventRegistry.Default.Read(message.Type, message.Version, message.Data);

    /// <summary>A body as the API reads it: snake_case names (an unknown name is refused).</summary>
    public static StringContent Json(object body) =>
        new(JsonSerializer.Serialize(body, new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower }), Encoding.UTF8, "application/json");

    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    public static async Task<JsonElement> ReadAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync(Ct);
        return JsonDocument.Parse(body).RootElement;
    }

    public static async Task<JsonElement> AssertStatusAsync(HttpResponseMessage response, int status)
    {
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True((int)response.StatusCode == status, $"expected {status}, got {(int)response.StatusCode}: {body}");
        return body.Length == 0 ? default : JsonDocument.Parse(body).RootElement;
    }

    public static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, int status)
    {
        var problem = await AssertStatusAsync(response, status);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(status, problem.GetProperty("status").GetInt32());
        return problem;
    }

    public async ValueTask DisposeAsync()
    {
        await Tasks.StopAsync(CancellationToken.None);
        await Auth.StopAsync(CancellationToken.None);
        await Tasks.DisposeAsync();
        await Auth.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (_postgres is not null) await _postgres.DisposeAsync();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }
}

/// <summary>A random source that plays a script: pick index i of the eligible list, in turn (then repeats).</summary>
public sealed class ScriptedPick(params int[] picks) : IRandomPick
{
    int _next;

    public int Next(int count) => picks[(Interlocked.Increment(ref _next) - 1) % picks.Length] % count;
}
