using Ates.Messaging;
using Ates.Messaging.Ops;
using Ates.Messaging.Outbox;
using Ates.Messaging.Transports.Embedded;
using Ates.ServiceDefaults.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ates.Analytics.Tests;

/// <summary>A producer's database: nothing but its outbox, which is its event log.</summary>
public sealed class ProducerDb(DbContextOptions<ProducerDb> options) : DbContext(options)
{
    protected override void OnModelCreating(ModelBuilder model) => model.AddMessagingTables();
}

/// <summary>
/// Stands in for Auth, Tasks or Accounting: the real outbox, relay and event log of the messaging library on the
/// shared embedded bus, with the replay endpoint a producer maps. The replay wants a bearer token, as a real
/// producer's would, and records the ones it got.
/// </summary>
public sealed class TestProducer : IAsyncDisposable
{
    readonly WebApplication _app;

    TestProducer(string name, WebApplication app) => (Name, _app) = (name, app);

    public string Name { get; }
    public TestServer Server => _app.GetTestServer();
    public List<string> ReplayAuthorizations { get; } = [];

    /// <summary>When set, a replay request waits for it: a test holds a rebuild in the middle.</summary>
    public TaskCompletionSource? ReplayGate { get; set; }

    public static async Task<TestProducer> StartAsync(string name, EmbeddedBus bus, string folder)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = folder });
        builder.Logging.ClearProviders();
        builder.WebHost.UseTestServer();
        var file = Path.Combine(folder, $"producer-{name}.db");
        builder.Services.AddDbContext<ProducerDb>((sp, o) => o.UseSqlite($"Data Source={file}").AddOutboxSignal(sp));
        builder.Services.UseSnakeCaseJson();
        builder.Services.AddMessaging<ProducerDb>(name, o => o.RelayPollInterval = TimeSpan.FromMilliseconds(100)).UseEmbedded(bus);
        var app = builder.Build();
        // Served under a prefix, as behind the gateway (/accounting/api/ops/replay).
        app.UsePathBase($"/{name}");
        var producer = new TestProducer(name, app);
        // Its ops status tells how far back its log reaches (the rebuild page asks), in snake_case as a service's does.
        app.MapGet("/api/ops/status", (OpsStatusReader<ProducerDb> status, CancellationToken ct) => status.ReadAsync(ct));
        app.MapEventLogReplay<ProducerDb>().AddEndpointFilter(async (context, next) =>
        {
            var authorization = context.HttpContext.Request.Headers.Authorization.ToString();
            lock (producer.ReplayAuthorizations) producer.ReplayAuthorizations.Add(authorization);
            if (producer.ReplayGate is { } gate) await gate.Task;
            return authorization.StartsWith("Bearer ", StringComparison.Ordinal) ? await next(context) : Results.Problem(statusCode: 401);
        });
        await using (var scope = app.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<ProducerDb>().Database.EnsureCreatedAsync();
        await app.StartAsync();
        return producer;
    }

    /// <summary>Stages the events in the outbox and commits them in one transaction, as a service does with its state change.</summary>
    public async Task PublishAsync(IEnumerable<(object Event, string Key)> events)
    {
        await using var scope = _app.Services.CreateAsyncScope();
        var outbox = scope.ServiceProvider.GetRequiredService<IOutbox>();
        foreach (var (@event, key) in events) outbox.Add(@event, key);
        await scope.ServiceProvider.GetRequiredService<ProducerDb>().SaveChangesAsync();
    }

    public async Task<List<OutboxMessage>> LogAsync()
    {
        await using var scope = _app.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ProducerDb>().Set<OutboxMessage>().AsNoTracking().OrderBy(m => m.Sequence).ToListAsync();
    }

    /// <summary>Drops the oldest <paramref name="count"/> events of the log, as its retention does.</summary>
    public async Task ForgetOldestAsync(int count)
    {
        await using var scope = _app.Services.CreateAsyncScope();
        var outbox = scope.ServiceProvider.GetRequiredService<ProducerDb>().Set<OutboxMessage>();
        var last = await outbox.OrderBy(m => m.Sequence).Skip(count - 1).Select(m => m.Sequence).FirstAsync();
        await outbox.Where(m => m.Sequence <= last).ExecuteDeleteAsync();
    }

    /// <summary>True when the relay has handed every event over (embedded: the consumer committed it).</summary>
    public async Task<bool> AllPublishedAsync()
    {
        await using var scope = _app.Services.CreateAsyncScope();
        return !await scope.ServiceProvider.GetRequiredService<ProducerDb>().Set<OutboxMessage>().AnyAsync(m => m.PublishedAt == null);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
