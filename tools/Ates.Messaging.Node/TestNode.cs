using Ates.Contracts;
using Ates.Messaging.Ops;
using Ates.Messaging.Outbox;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Ates.Messaging.Transports.Embedded;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Ates.Messaging.Node;

/// <summary>How to build a test service: its name, database, transport and whether it consumes.</summary>
public sealed record NodeSettings(string Service, string Database, string Transport, bool Consume = true)
{
    /// <summary>"sqlite:&lt;file&gt;" or "postgres:&lt;connection string&gt;".</summary>
    public string Database { get; init; } = Database;

    /// <summary>"embedded" or "rabbitmq:&lt;amqp uri&gt;".</summary>
    public string Transport { get; init; } = Transport;

    /// <summary>Prefix of the broker's exchanges and queues, so tests sharing a broker do not share queues.</summary>
    public string RabbitNamespace { get; init; } = "ates";

    public string? HoldOn { get; init; }
    public bool Relay { get; init; } = true;
    public Action<MessagingOptions>? Tune { get; init; }
    public Action<Ates.Messaging.Transports.RabbitMq.RabbitMqOptions>? TuneRabbit { get; init; }

    /// <summary>When set, the node is a web app on this loopback port with the ops API (status, backlog, dead letters, replay) under /ops.</summary>
    public int? HttpPort { get; init; }
}

public static class TestNode
{
    /// <summary>A host running one test service. Several may share one <paramref name="bus"/> in one process.</summary>
    public static IHost Build(NodeSettings settings, EmbeddedBus? bus = null)
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls(settings.HttpPort is { } port ? $"http://127.0.0.1:{port}" : "http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSingleton(new HandlerFaults { HoldOn = settings.HoldOn });
        builder.Services.AddDbContext<TestDb>((sp, options) =>
        {
            Configure(options, settings.Database);
            options.AddOutboxSignal(sp);
        });

        var messaging = builder.Services.AddMessaging<TestDb>(settings.Service, o =>
        {
            o.RetryDelays = [TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(100)];
            o.MaxAttempts = 3;
            o.RelayPollInterval = TimeSpan.FromMilliseconds(100);
            o.RelayLeaseDuration = TimeSpan.FromSeconds(3);
            o.RelayMaxBackoff = TimeSpan.FromMilliseconds(500);
            o.RelayEnabled = settings.Relay;
            settings.Tune?.Invoke(o);
        });
        if (settings.Consume) messaging.Handle<TaskCreated, SeenTaskHandler>();
        if (settings.Transport == "embedded")
            messaging.UseEmbedded(bus ?? new EmbeddedBus());
        else if (settings.Transport.StartsWith("rabbitmq:", StringComparison.Ordinal))
            messaging.UseRabbitMq(r =>
            {
                r.Uri = settings.Transport["rabbitmq:".Length..];
                r.Namespace = settings.RabbitNamespace;
                r.PartitionLeaseDuration = TimeSpan.FromSeconds(2);
                r.PartitionRebalanceInterval = TimeSpan.FromMilliseconds(200);
                settings.TuneRabbit?.Invoke(r);
            });
        else
            throw new ArgumentException($"Unknown transport '{settings.Transport}'.");

        var host = builder.Build();
        host.MapOps<TestDb>();
        using var scope = host.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<TestDb>();
        db.Database.EnsureCreated();
        if (db.Database.IsSqlite()) db.Database.ExecuteSqlRaw("PRAGMA journal_mode=WAL;");
        return host;
    }

    public static void Configure(DbContextOptionsBuilder options, string database)
    {
        if (database.StartsWith("sqlite:", StringComparison.Ordinal))
            options.UseSqlite($"Data Source={database["sqlite:".Length..]};Default Timeout=30");
        else if (database.StartsWith("postgres:", StringComparison.Ordinal))
            options.UseNpgsql(database["postgres:".Length..]);
        else
            throw new ArgumentException($"Unknown database '{database}'.");
    }

    /// <summary>
    /// Creates tasks in transactions of <paramref name="perTransaction"/>: each writes the task and its task.created
    /// together, its partition key the task's id or <paramref name="partitionKeyOf"/> its title.
    /// </summary>
    public static async Task ProduceAsync(IServiceProvider services, IEnumerable<string> titles, int perTransaction, CancellationToken ct,
        Func<string, string>? partitionKeyOf = null)
    {
        foreach (var chunk in titles.Chunk(perTransaction))
        {
            await using var scope = services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<TestDb>();
            var outbox = scope.ServiceProvider.GetRequiredService<IOutbox>();
            foreach (var title in chunk)
            {
                var task = new CreatedTask { TaskId = Guid.NewGuid(), Title = title };
                db.CreatedTasks.Add(task);
                outbox.Add(new TaskCreated(task.TaskId, title, null, "made by the messaging tests", 1), partitionKeyOf?.Invoke(title) ?? task.TaskId.ToString());
            }
            await db.SaveChangesAsync(ct);
        }
    }
}
