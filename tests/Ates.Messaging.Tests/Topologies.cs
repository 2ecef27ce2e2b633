using Ates.Messaging.Node;
using Ates.Messaging.Transports.Embedded;
using Ates.LocalServers;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Ates.Messaging.Tests;

/// <summary>The real servers every messaging test shares: one RabbitMQ node and one PostgreSQL cluster for the run.</summary>
public sealed class Servers : IAsyncLifetime
{
    public RabbitMqServer Rabbit { get; private set; } = null!;
    public PostgresServer Postgres { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        var rabbit = RabbitMqServer.StartAsync();
        var postgres = PostgresServer.StartAsync();
        Rabbit = await rabbit;
        Postgres = await postgres;
    }

    public async ValueTask DisposeAsync()
    {
        if (Rabbit is not null) await Rabbit.DisposeAsync();
        if (Postgres is not null) await Postgres.DisposeAsync();
    }
}

/// <summary>
/// A producer ("tasks") and a consumer ("accounting") on one transport and one kind of database,
/// each with a database of its own, as the services have.
/// </summary>
public sealed class Topology : IAsyncDisposable
{
    readonly List<IHost> _hosts = [];
    readonly List<string> _files = [];
    readonly RabbitMqServer _rabbit;
    readonly PostgresServer _postgres;
    readonly EmbeddedBus _bus = new();

    public string TransportKind { get; }
    public string DatabaseKind { get; }
    public string Transport { get; }
    public string Namespace { get; } = $"t{Guid.NewGuid():N}"[..12];

    Topology(RabbitMqServer rabbit, PostgresServer postgres, string transport, string database)
    {
        (_rabbit, _postgres) = (rabbit, postgres);
        TransportKind = transport;
        DatabaseKind = database;
        Transport = transport == "embedded" ? "embedded" : $"rabbitmq:{rabbit.AmqpUri}";
    }

    public static Task<Topology> CreateAsync(Servers servers, string transport, string database) =>
        CreateAsync(servers.Rabbit, servers.Postgres, transport, database);

    public static Task<Topology> CreateAsync(RabbitMqServer rabbit, PostgresServer postgres, string transport, string database) =>
        Task.FromResult(new Topology(rabbit, postgres, transport, database));

    /// <summary>A fresh database for a service ("sqlite:…" or "postgres:…").</summary>
    public async Task<string> NewDatabaseAsync(string name)
    {
        if (DatabaseKind == "sqlite")
        {
            var file = Path.Combine(Path.GetTempPath(), $"ates-{name}-{Guid.NewGuid():N}.db");
            _files.Add(file);
            return $"sqlite:{file}";
        }
        return $"postgres:{await _postgres.CreateUniqueDatabaseAsync(name)}";
    }

    /// <summary>Starts a service host on this topology's transport (its own broker namespace, so tests do not share queues).</summary>
    /// <param name="login">On RabbitMQ: a broker login of the service's own (user, password) instead of guest.</param>
    public async Task<IHost> StartAsync(NodeSettings settings, (string User, string Password)? login = null)
    {
        var transport = login is var (user, password) ? $"rabbitmq:amqp://{user}:{password}@127.0.0.1:{_rabbit.Port}/" : Transport;
        var host = TestNode.Build(settings with { Transport = transport, RabbitNamespace = Namespace }, _bus);
        _hosts.Add(host);
        await host.StartAsync(TestContext.Current.CancellationToken);
        return host;
    }

    public async Task StopAsync(IHost host)
    {
        await host.StopAsync(TestContext.Current.CancellationToken);
        host.Dispose();
        _hosts.Remove(host);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            await host.StopAsync(CancellationToken.None);
            host.Dispose();
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var file in _files)
            foreach (var suffix in new[] { "", "-wal", "-shm" })
                File.Delete(file + suffix);
    }

    public static async Task<T> QueryAsync<T>(IHost host, Func<TestDb, Task<T>> query)
    {
        await using var scope = host.Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<TestDb>());
    }

    public static Task<int> SeenCountAsync(IHost consumer) => QueryAsync(consumer, db => db.SeenTasks.CountAsync());
}
