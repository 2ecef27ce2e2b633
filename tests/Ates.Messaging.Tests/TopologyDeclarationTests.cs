using Ates.Messaging.Inbox;
using Ates.Messaging.Outbox;
using Ates.Messaging.Node;
using Ates.Messaging.Transports.RabbitMq;
using Ates.LocalServers;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Ates.Messaging.Tests;

/// <summary>
/// A consumer that has never run still gets every event, when its topology was declared before the producer's first
/// publish (the <c>declare-topology</c> step the distributed topology runs for every service before starting any).
/// </summary>
public sealed class TopologyDeclarationTests(Servers servers)
{
    static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Events_published_before_their_consumer_ever_started_reach_it_once_its_topology_was_declared_first()
    {
        await using var topology = await Topology.CreateAsync(servers, "rabbitmq", "postgres");
        var consumerDb = await topology.NewDatabaseAsync("accounting");
        var consumerSettings = new NodeSettings("accounting", consumerDb, "rabbitmq") { RabbitNamespace = topology.Namespace, Transport = topology.Transport };

        // The deployment step: the consumer's service is built, declares its topology and exits without starting.
        using (var declaring = TestNode.Build(consumerSettings))
            await declaring.Services.GetRequiredService<RabbitMqTransport>()
                .DeclareTopologyAsync(declaring.Services.GetRequiredService<IConsumerRegistration>().Registration, Ct);

        // The producer alone: every event is published (confirmed by the broker) before the consumer exists.
        var producer = await topology.StartAsync(new NodeSettings("tasks", await topology.NewDatabaseAsync("tasks"), "rabbitmq", Consume: false));
        var titles = Enumerable.Range(1, 40).Select(i => $"task {i}").ToList();
        await TestNode.ProduceAsync(producer.Services, titles, perTransaction: 4, Ct);
        await Eventually.UntilAsync(() => Topology.QueryAsync(producer, async db =>
                await db.Set<OutboxMessage>().CountAsync(m => m.PublishedAt != null, Ct) == titles.Count),
            Deadline, "the producer should publish every event", Ct);

        var consumer = await topology.StartAsync(consumerSettings);
        await Eventually.UntilAsync(async () => await Topology.SeenCountAsync(consumer) >= titles.Count, Deadline, "the late consumer should see every event", Ct);
        var seen = await Topology.QueryAsync(consumer, db => db.SeenTasks.Select(s => s.Title).ToListAsync(Ct));
        Assert.Equal(titles.Order(), seen.Order());
    }
}
