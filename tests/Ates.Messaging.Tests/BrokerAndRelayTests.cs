using Ates.Messaging.Outbox;
using Ates.Messaging.Node;
using Ates.LocalServers;
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

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task A_relay_that_died_holding_the_lock_is_replaced_when_it_expires_and_a_clean_stop_hands_it_on(string database)
    {
        await using var topology = await Topology.CreateAsync(servers, "embedded", database);
        var producerDb = await topology.NewDatabaseAsync("tasks");
        var consumer = await topology.StartAsync(new NodeSettings("accounting", await topology.NewDatabaseAsync("accounting"), "embedded"));

        // The lease of an instance that crashed: nobody renews it, it runs out in two seconds.
        var crashedAt = DateTime.UtcNow;
        var idle = await topology.StartAsync(new NodeSettings("tasks", producerDb, "embedded", Consume: false) { Relay = false });
        await using (var scope = idle.Services.CreateAsyncScope())
            Assert.True(await RelayLock.TryHoldAsync(scope.ServiceProvider.GetRequiredService<TestDb>(), "crashed instance", crashedAt, TimeSpan.FromSeconds(2), Ct));

        var survivor = await topology.StartAsync(new NodeSettings("tasks", producerDb, "embedded", Consume: false));
        await TestNode.ProduceAsync(survivor.Services, Enumerable.Range(1, 10).Select(i => $"task {i}"), 2, Ct);
        await Eventually.UntilAsync(async () => await Topology.SeenCountAsync(consumer) == 10, TimeSpan.FromSeconds(30), "the survivor should publish once the lease ran out", Ct);
        var firstSeenAt = await Topology.QueryAsync(consumer, db => db.Set<Inbox.InboxMessage>().MinAsync(m => m.HandledAt, Ct));
        Assert.True(firstSeenAt >= crashedAt.AddSeconds(2), $"nothing may be published while the crashed instance's lease runs (first at {firstSeenAt:O}, lease until {crashedAt.AddSeconds(2):O})");
        var holder = await Topology.QueryAsync(survivor, db => db.Set<RelayLease>().SingleAsync(Ct));
        Assert.NotEqual("crashed instance", holder.Holder);

        await topology.StopAsync(survivor);
        var released = await Topology.QueryAsync(idle, db => db.Set<RelayLease>().SingleAsync(Ct));
        // Handed on: expired, and naming nobody, so that no renewal of the old holder's could take it back.
        Assert.Equal("", released.Holder);
        Assert.True(released.ExpiresAt <= DateTime.UtcNow, "a clean stop should hand the lease on at once");
    }
}
