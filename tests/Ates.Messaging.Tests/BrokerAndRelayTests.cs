using Ates.Messaging.Outbox;
using Ates.Messaging.TestHost;
using Ates.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Ates.Messaging.Tests;

public sealed class BrokerAndRelayTests(Servers servers)
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task RabbitMQ_stopped_and_started_during_a_stream_loses_nothing()
    {
        // A broker of its own: stopping the shared one would disturb the other tests.
        await using var rabbit = await RabbitMqServer.StartAsync(Ct);
        await using var topology = await Topology.CreateAsync(rabbit, servers.Postgres, "rabbitmq", "postgres");
        var consumer = await topology.StartAsync(new NodeSettings("accounting", await topology.NewDatabaseAsync("accounting"), topology.Transport));
        var producer = await topology.StartAsync(new NodeSettings("tasks", await topology.NewDatabaseAsync("tasks"), topology.Transport, Consume: false));

        var stream = Task.Run(async () =>
        {
            for (var i = 1; i <= 60; i++)
            {
                await TestNode.ProduceAsync(producer.Services, [$"task {i}"], 1, Ct);
                if (i == 20) await rabbit.StopAsync();
                if (i == 40) await rabbit.StartAgainAsync();
            }
        }, Ct);
        await stream;

        await Eventually.UntilAsync(async () => await Topology.SeenCountAsync(consumer) >= 60, TimeSpan.FromSeconds(90),
            "the relay and the consumer should reconnect by themselves and deliver every event", Ct);
        var titles = await Topology.QueryAsync(consumer, db => db.SeenTasks.Select(s => s.Title).ToListAsync(Ct));
        Assert.Equal(Enumerable.Range(1, 60).Select(i => $"task {i}").Order(), titles.Order());
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task One_relay_holds_the_lock_until_it_stops_renewing(string database)
    {
        await using var topology = await Topology.CreateAsync(servers, "embedded", database);
        var host = await topology.StartAsync(new NodeSettings("tasks", await topology.NewDatabaseAsync("tasks"), "embedded", Consume: false) { Relay = false });
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TestDb>();
        var now = DateTime.UtcNow;
        var lease = TimeSpan.FromSeconds(10);

        Assert.True(await RelayLock.TryHoldAsync(db, "a", now, lease, Ct));
        Assert.False(await RelayLock.TryHoldAsync(db, "b", now.AddSeconds(1), lease, Ct));
        Assert.True(await RelayLock.TryHoldAsync(db, "a", now.AddSeconds(5), lease, Ct));
        Assert.False(await RelayLock.TryHoldAsync(db, "b", now.AddSeconds(14), lease, Ct));
        Assert.True(await RelayLock.TryHoldAsync(db, "b", now.AddSeconds(16), lease, Ct));
        Assert.False(await RelayLock.TryHoldAsync(db, "a", now.AddSeconds(17), lease, Ct));
    }

    [Theory]
    [InlineData("embedded", "postgres")]
    [InlineData("rabbitmq", "postgres")]
    public async Task Three_producer_instances_on_one_database_publish_every_event_once(string transport, string database)
    {
        await using var topology = await Topology.CreateAsync(servers, transport, database);
        var producerDb = await topology.NewDatabaseAsync("tasks");
        var consumer = await topology.StartAsync(new NodeSettings("accounting", await topology.NewDatabaseAsync("accounting"), transport));
        var producers = new[]
        {
            await topology.StartAsync(new NodeSettings("tasks", producerDb, transport, Consume: false)),
            await topology.StartAsync(new NodeSettings("tasks", producerDb, transport, Consume: false)),
            await topology.StartAsync(new NodeSettings("tasks", producerDb, transport, Consume: false)),
        };

        await Task.WhenAll(producers.Select((p, n) =>
            TestNode.ProduceAsync(p.Services, Enumerable.Range(1, 50).Select(i => $"instance {n} task {i}"), 5, Ct)));

        await Eventually.UntilAsync(async () => await Topology.SeenCountAsync(consumer) >= 150, TimeSpan.FromSeconds(60), "every event should arrive", Ct);
        var inbox = await Topology.QueryAsync(consumer, db => db.Set<Inbox.InboxMessage>().CountAsync(Ct));
        Assert.Equal(150, inbox);
        Assert.Equal(150, await Topology.SeenCountAsync(consumer));
        var holders = await Topology.QueryAsync(producers[0], db => db.Set<RelayLease>().Select(l => l.Holder).ToListAsync(Ct));
        Assert.Single(holders);
    }
}
