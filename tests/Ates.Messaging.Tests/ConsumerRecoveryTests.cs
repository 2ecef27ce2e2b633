using Ates.Messaging.DeadLetters;
using Ates.Messaging.Node;
using Ates.Messaging.Transports;
using Ates.Messaging.Transports.RabbitMq;
using Ates.LocalServers;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

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

/// <summary>
/// A message the broker gives up on (delivered up to the quorum queue's delivery limit, never acked) is not left in a
/// queue nobody looks at: the consumer parks it as a dead letter with the broker's reason, to retry or discard.
/// </summary>
public sealed class BrokerDeadLetterTests(Servers servers)
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_message_past_its_delivery_limit_becomes_a_dead_letter_with_the_reason_and_a_retry_handles_it()
    {
        await using var topology = await Topology.CreateAsync(servers, "rabbitmq", "postgres");
        var consumerDb = await topology.NewDatabaseAsync("accounting");
        var settings = new NodeSettings("accounting", consumerDb, "rabbitmq") { TuneRabbit = r => r.DeliveryLimit = 2 };
        await topology.StopAsync(await topology.StartAsync(settings));
        var producer = await topology.StartAsync(new NodeSettings("tasks", await topology.NewDatabaseAsync("tasks"), "rabbitmq", Consume: false));
        await TestNode.ProduceAsync(producer.Services, ["crashes its consumer"], perTransaction: 1, Ct);

        // A consumer that dies on it each time: every delivery goes back to the queue unacked, until the broker gives up.
        var deliveries = 0;
        await using (var admin = await new ConnectionFactory { Uri = new Uri(servers.Rabbit.AmqpUri) }.CreateConnectionAsync(Ct))
        await using (var channel = await admin.CreateChannelAsync(cancellationToken: Ct))
        {
            var crashing = new AsyncEventingBasicConsumer(channel);
            crashing.ReceivedAsync += async (_, delivery) =>
            {
                Interlocked.Increment(ref deliveries);
                await channel.BasicNackAsync(delivery.DeliveryTag, multiple: false, requeue: true);
            };
            for (var partition = 0; partition < RabbitMqOptions.DefaultPartitions; partition++)
                await channel.BasicConsumeAsync($"{topology.Namespace}.accounting.p{partition}", autoAck: false, crashing, Ct);
            await Eventually.UntilAsync(async () => (await channel.QueueDeclarePassiveAsync($"{topology.Namespace}.accounting.dead", Ct)).MessageCount == 1,
                TimeSpan.FromSeconds(30), "the broker should dead-letter the message past its delivery limit", Ct);
        }
        Assert.InRange(deliveries, 2, 3);

        // The service, started again, takes it into its dead letters, where the ops page lists it.
        var consumer = await topology.StartAsync(settings);
        DeadLetter? letter = null;
        await Eventually.UntilAsync(async () => (letter = await Topology.QueryAsync(consumer, db => db.Set<DeadLetter>().SingleOrDefaultAsync(Ct))) is not null,
            TimeSpan.FromSeconds(30), "the consumer should park what the broker dead-lettered", Ct);
        Assert.Equal("task.created", letter!.Type);
        Assert.Contains("The broker gave up on it after", letter.Reason);
        Assert.Contains("delivery limit", letter.Reason);

        await using (var scope = consumer.Services.CreateAsyncScope())
            Assert.Equal(ConsumeOutcome.Handled, await scope.ServiceProvider.GetRequiredService<DeadLetterStore<TestDb>>().RetryAsync(letter.Id, Ct));
        Assert.Equal(["crashes its consumer"], await Topology.QueryAsync(consumer, db => db.SeenTasks.Select(s => s.Title).ToListAsync(Ct)));
        Assert.Empty(await Topology.QueryAsync(consumer, db => db.Set<DeadLetter>().ToListAsync(Ct)));
    }
}
