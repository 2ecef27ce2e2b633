using System.Net.Http.Headers;
using Ates.Analytics.Data;
using Ates.Analytics.Ops;
using Ates.Messaging.Transports.Embedded;
using Ates.LocalServers;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Ates.Analytics.Tests;

/// <summary>
/// Analytics as it runs in the one-process mode, in memory: its real pipeline and SQLite file, the embedded bus it
/// shares with three test producers ("auth", "tasks", "accounting"), the real Auth for tokens, and a fake clock set
/// to <see cref="Now"/>.
/// </summary>
public sealed class Testbed : IAsyncDisposable
{
    public const string Password = "popug-test-beak";

    /// <summary>Thursday 12 March 2026, mid-afternoon UTC: "today" for every test.</summary>
    public static readonly DateTimeOffset Now = new(2026, 3, 12, 15, 0, 0, TimeSpan.Zero);

    readonly string _folder = Directory.CreateTempSubdirectory("ates-analytics-tests-").FullName;
    readonly Dictionary<string, string> _tokens = [];

    public EmbeddedBus Bus { get; } = new();
    public FakeTimeProvider Time { get; } = new(Now);
    public WebApplicationFactory<Ates.Auth.Hosting.AuthOptions> Auth { get; private set; } = null!;
    public WebApplication Analytics { get; private set; } = null!;
    public TestProducer AuthEvents { get; private set; } = null!;
    public TestProducer Tasks { get; private set; } = null!;
    public TestProducer Accounting { get; private set; } = null!;
    public IReadOnlyList<TestProducer> Producers => [AuthEvents, Tasks, Accounting];

    static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static async Task<Testbed> StartAsync()
    {
        var testbed = new Testbed();
        await testbed.InitializeAsync();
        return testbed;
    }

    async Task InitializeAsync()
    {
        Auth = new WebApplicationFactory<Ates.Auth.Hosting.AuthOptions>().WithWebHostBuilder(b =>
        {
            b.UseEnvironment("Development");
            b.UseSetting("Auth:Database", $"sqlite:{Path.Combine(_folder, "auth.db")}");
            b.UseSetting("Auth:Keys", "ephemeral");
            b.UseSetting("Auth:Demo:Seed", "true");
            b.UseSetting("Auth:Demo:Password", Password);
            // Analytics' pages sign in as the client "analytics" and come back to the test server's address.
            b.UseSetting("Auth:Clients:9:ClientId", "analytics");
            b.UseSetting("Auth:Clients:9:RedirectUris:0", "http://localhost/signin-oidc");
            b.UseSetting("Auth:Clients:9:PostLogoutRedirectUris:0", "http://localhost/");
        });
        _ = Auth.Server;
        AuthEvents = await TestProducer.StartAsync("auth", Bus, _folder);
        Tasks = await TestProducer.StartAsync("tasks", Bus, _folder);
        Accounting = await TestProducer.StartAsync("accounting", Bus, _folder);
        Analytics = await BuildAnalyticsAsync($"sqlite:{Path.Combine(_folder, "analytics.db")}", Bus);

        // The demo company reaches Analytics' replica as Auth published it (its gate lets in only popugs it knows).
        await using (var scope = Auth.Services.CreateAsyncScope())
        {
            var published = await scope.ServiceProvider.GetRequiredService<Ates.Auth.Data.AuthDb>().Set<Ates.Messaging.Outbox.OutboxMessage>()
                .AsNoTracking().OrderBy(m => m.Sequence).ToListAsync(Ct);
            await AuthEvents.PublishAsync(published.Select(m => (Ates.Contracts.EventRegistry.Default.Read(m.Type, m.Version, m.Data), m.PartitionKey)));
        }
        await DeliveredAsync();
    }

    /// <summary>An Analytics app on <paramref name="database"/> ("sqlite:…" or "postgres:…") and <paramref name="bus"/>; the producers' replay endpoints are reached in memory.</summary>
    public async Task<WebApplication> BuildAnalyticsAsync(string database, EmbeddedBus bus, Action<IServiceCollection>? services = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = _folder, EnvironmentName = "Development" });
        builder.Logging.ClearProviders();
        builder.WebHost.UseTestServer();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Analytics:Database"] = database,
            ["Analytics:MigrateOnStart"] = "true",
            ["Analytics:SignIn:Authority"] = "http://localhost/",
            ["Analytics:SignIn:RequireHttpsMetadata"] = "false",
            ["Analytics:Producers:auth"] = "http://localhost/auth",
            ["Analytics:Producers:tasks"] = "http://localhost/tasks/",
            ["Analytics:Producers:accounting"] = "http://localhost/accounting",
        });
        builder.AddAnalytics(bus);
        builder.Services.AddSingleton<TimeProvider>(Time);
        builder.Services.Configure<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme, o => o.BackchannelHttpHandler = Auth.Server.CreateHandler());
        builder.Services.Configure<OpenIdConnectOptions>(OpenIdConnectDefaults.AuthenticationScheme, o => o.BackchannelHttpHandler = Auth.Server.CreateHandler());
        // The fake clock is the reports' "today"; sign-in cookies and Auth's tokens live in real time (the client's cookie jar does).
        builder.Services.PostConfigureAll<CookieAuthenticationOptions>(o => o.TimeProvider = TimeProvider.System);
        builder.Services.PostConfigureAll<OpenIdConnectOptions>(o => o.TimeProvider = TimeProvider.System);
        foreach (var producer in Producers)
            builder.Services.AddHttpClient(OpsConsole.ClientName(producer.Name)).ConfigurePrimaryHttpMessageHandler(() => producer.Server.CreateHandler());
        services?.Invoke(builder.Services);
        var app = builder.Build();
        app.MapAnalytics();
        await app.StartAsync(Ct);
        return app;
    }

    /// <summary>Stops an app of <see cref="BuildAnalyticsAsync"/> and deletes its SQLite file, if it had one.</summary>
    public static async Task StopAnalyticsAsync(WebApplication app, string? sqliteFile = null)
    {
        await app.StopAsync(CancellationToken.None);
        await app.DisposeAsync();
        if (sqliteFile is null) return;
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var suffix in new[] { "", "-wal", "-shm" }) File.Delete(sqliteFile + suffix);
    }

    public async Task<string> TokenAsync(string email)
    {
        if (_tokens.TryGetValue(email, out var cached)) return cached;
        using var auth = Auth.CreateClient();
        return _tokens[email] = await PasswordGrant.TokenAsync(auth, email, Password, Ct);
    }

    /// <summary>An API client of <paramref name="app"/> (Analytics by default) with the user's bearer token, or none.</summary>
    public async Task<HttpClient> ClientAsync(string? email, WebApplication? app = null)
    {
        var client = (app ?? Analytics).GetTestClient();
        if (email is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await TokenAsync(email));
        return client;
    }

    public Task<HttpClient> AdminAsync(WebApplication? app = null) => ClientAsync("admin@popug.inc", app);

    /// <summary>Waits until every producer's relay has handed its events over: embedded delivery means Analytics committed them.</summary>
    public Task DeliveredAsync() => Eventually.UntilAsync(async () =>
    {
        foreach (var producer in Producers)
            if (!await producer.AllPublishedAsync()) return false;
        return true;
    }, TimeSpan.FromSeconds(30), "every event should reach Analytics", Ct);

    public async Task<T> DbAsync<T>(Func<AnalyticsDb, Task<T>> query, WebApplication? app = null)
    {
        await using var scope = (app ?? Analytics).Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<AnalyticsDb>());
    }

    public async ValueTask DisposeAsync()
    {
        await Analytics.StopAsync(CancellationToken.None);
        await Analytics.DisposeAsync();
        foreach (var producer in Producers) await producer.DisposeAsync();
        await Auth.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }
}

/// <summary>Tests that change Analytics' data get a testbed of their own each.</summary>
public abstract class TestbedTests : IAsyncLifetime
{
    protected Testbed Testbed { get; private set; } = null!;
    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    public virtual async ValueTask InitializeAsync() => Testbed = await Testbed.StartAsync();

    public async ValueTask DisposeAsync() => await Testbed.DisposeAsync();
}
