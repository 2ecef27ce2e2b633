using Ates.Messaging.TestHost;
using Ates.Messaging.Transports.RabbitMq;
using Ates.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using RabbitMQ.Client;

namespace Ates.Messaging.Tests;

/// <summary>
/// The broker ends a consumer without ending the connection: it cancels the consumer when its queue is deleted, and it
/// closes the channel when a delivery is not acked within the consumer timeout. The client's automatic recovery covers
/// neither; the transport subscribes again by itself and nothing is lost or handled twice.
/// </summary>
public sealed class ConsumerRecoveryTests(Servers servers)
{
    static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    static RabbitMqTransport TransportOf(IHost host) => host.Services.GetRequiredService<RabbitMqTransport>();

    static async Task AssertSeenOnceAsync(IHost consumer, IReadOnlyCollection<string> titles)
    {
        await Eventually.UntilAsync(async () => await Topology.SeenCountAsync(consumer) >= titles.Count, Deadline, "every task should be seen", Ct);
        var seen = await Topology.QueryAsync(consumer, db => db.SeenTasks.Select(s => s.Title).ToListAsync(Ct));
        Assert.Equal(titles.Order(), seen.Order());
    }

    [Fact]
    public async Task A_consumer_whose_queues_are_deleted_declares_them_again_subscribes_again_and_misses_nothing()
    {
        await using var topology = await Topology.CreateAsync(servers, "rabbitmq", "sqlite");
        var consumer = await topology.StartAsync(new NodeSettings("accounting", await topology.NewDatabaseAsync("accounting"), "rabbitmq"));
        var producer = await topology.StartAsync(new NodeSettings("tasks", await topology.NewDatabaseAsync("tasks"), "rabbitmq", Consume: false));
        var transport = TransportOf(consumer);
        await Eventually.UntilAsync(() => Task.FromResult(transport.Subscribed.Count == transport.Partitions), Deadline, "the consumer should hold every partition", Ct);
        var before = Enumerable.Range(1, 30).Select(i => $"before {i}").ToList();
        await TestNode.ProduceAsync(producer.Services, before, perTransaction: 5, Ct);
        await AssertSeenOnceAsync(consumer, before);

        // An operator deletes the partition queues by hand: the broker cancels their consumers.
        await using (var admin = await new ConnectionFactory { Uri = new Uri(servers.Rabbit.AmqpUri) }.CreateConnectionAsync(Ct))
        await using (var channel = await admin.CreateChannelAsync(cancellationToken: Ct))
        {
            for (var partition = 0; partition < transport.Partitions; partition++)
                await channel.QueueDeleteAsync($"{topology.Namespace}.accounting.p{partition}", cancellationToken: Ct);
        }
        await Eventually.UntilAsync(() => Task.FromResult(transport.Resubscriptions >= 1 && transport.Consuming), Deadline,
            "the consumer should subscribe again", Ct);

        var after = Enumerable.Range(1, 30).Select(i => $"after {i}").ToList();
        await TestNode.ProduceAsync(producer.Services, after, perTransaction: 5, Ct);
        await AssertSeenOnceAsync(consumer, [.. before, .. after]);
        Assert.Equal(transport.Partitions, transport.Subscribed.Count);
    }

    [Fact]
    public async Task A_consumer_whose_channel_the_broker_closes_at_its_consumer_timeout_subscribes_again_and_handles_each_event_once()
    {
        // A broker of its own: the consumer timeout (read when a channel opens) and the channel's tick that checks it
        // are node-wide settings.
        await using var rabbit = await RabbitMqServer.StartAsync(Ct);
        await rabbit.CtlAsync("eval", "application:set_env(rabbit, consumer_timeout, 1500), application:set_env(rabbit, channel_tick_interval, 250).");
        // On PostgreSQL: the held transaction locks only its own rows, not the partition leases (SQLite would lock every writer).
        await using var topology = await Topology.CreateAsync(rabbit, servers.Postgres, "rabbitmq", "postgres");
        var consumer = await topology.StartAsync(new NodeSettings("accounting", await topology.NewDatabaseAsync("accounting"), "rabbitmq") { HoldOn = "task 3" });
        var producer = await topology.StartAsync(new NodeSettings("tasks", await topology.NewDatabaseAsync("tasks"), "rabbitmq", Consume: false));
        var transport = TransportOf(consumer);
        await Eventually.UntilAsync(() => Task.FromResult(transport.Subscribed.Count == transport.Partitions), Deadline, "the consumer should hold every partition", Ct);

        // "task 3" is held before its commit, longer than the broker waits for its ack: the broker closes the channel.
        var titles = Enumerable.Range(1, 10).Select(i => $"task {i}").ToList();
        await TestNode.ProduceAsync(producer.Services, titles, perTransaction: 1, Ct);
        await Eventually.UntilAsync(() => Task.FromResult(transport.Resubscriptions >= 1 && transport.Consuming), Deadline,
            "the consumer should subscribe again after the broker closed its channel", Ct);

        // The held batch commits; the broker delivers it again on the new channel and the inbox skips it.
        consumer.Services.GetRequiredService<HandlerFaults>().Release();
        var more = Enumerable.Range(11, 10).Select(i => $"task {i}").ToList();
        await TestNode.ProduceAsync(producer.Services, more, perTransaction: 5, Ct);
        await AssertSeenOnceAsync(consumer, [.. titles, .. more]);
    }
}
