using Ates.Messaging.Partitions;
using Ates.Messaging.Node;
using Ates.Messaging.Transports.RabbitMq;
using Ates.LocalServers;
using Ates.Testing;
using BrokerTopology = Ates.Messaging.Transports.RabbitMq.Topology;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Ates.Messaging.Tests;

/// <summary>Instances of one consuming service on RabbitMQ sharing its partition queues through their database.</summary>
public sealed class PartitionTests(Servers servers)
{
    static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    static IReadOnlyCollection<int> Held(IHost consumer) => consumer.Services.GetRequiredService<RabbitMqTransport>().Subscribed;

    static string KeyOf(string title) => $"popug {int.Parse(title.Split(' ')[^1], System.Globalization.CultureInfo.InvariantCulture) % 11}";

    /// <summary>A first consuming instance on its own database, and a producer.</summary>
    static async Task<(string ConsumerDb, IHost Consumer, IHost Producer)> StartConsumerAndProducerAsync(Topology topology)
    {
        var consumerDb = await topology.NewDatabaseAsync("accounting");
        var consumer = await topology.StartAsync(new NodeSettings("accounting", consumerDb, "rabbitmq"));
        var producer = await topology.StartAsync(new NodeSettings("tasks", await topology.NewDatabaseAsync("tasks"), "rabbitmq", Consume: false));
        return (consumerDb, consumer, producer);
    }

    /// <summary>Every title seen exactly once, and each key's titles in the order they were produced.</summary>
    static async Task AssertOnceAndInKeyOrderAsync(IHost consumer, IReadOnlyList<string> titles)
    {
        await Eventually.UntilAsync(async () => await Topology.SeenCountAsync(consumer) >= titles.Count, Deadline, "every task should be seen", Ct);
        // Rows are numbered as they are inserted, and one key's events are handled by one instance at a time.
        var seen = await Topology.QueryAsync(consumer, db => db.SeenTasks.OrderBy(s => s.Id).Select(s => s.Title).ToListAsync(Ct));
        Assert.Equal(titles.Order(), seen.Order());
        foreach (var key in seen.GroupBy(KeyOf))
            Assert.Equal(titles.Where(t => KeyOf(t) == key.Key), key);
    }

    [Fact]
    public async Task A_second_and_third_instance_take_their_share_and_a_stopped_ones_partitions_go_to_the_others()
    {
        await using var topology = await Topology.CreateAsync(servers, "rabbitmq", "postgres");
        var (consumerDb, a, producer) = await StartConsumerAndProducerAsync(topology);
        await Eventually.UntilAsync(() => Task.FromResult(Held(a).Count == 6), Deadline, "one instance should hold all six partitions", Ct);

        var titles = new List<string>();
        async Task ProduceAsync(int count)
        {
            var batch = Enumerable.Range(titles.Count + 1, count).Select(i => $"task {i}").ToList();
            titles.AddRange(batch);
            await TestNode.ProduceAsync(producer.Services, batch, perTransaction: 5, Ct, KeyOf);
        }

        await ProduceAsync(100);
        var b = await topology.StartAsync(new NodeSettings("accounting", consumerDb, "rabbitmq"));
        await ProduceAsync(100);
        var c = await topology.StartAsync(new NodeSettings("accounting", consumerDb, "rabbitmq"));
        await Eventually.UntilAsync(() => Task.FromResult(new[] { a, b, c }.All(i => Held(i).Count == 2)), Deadline, "three instances should hold two partitions each", Ct);
        Assert.Equal(Enumerable.Range(0, 6), new[] { a, b, c }.SelectMany(Held).Order());
        await ProduceAsync(100);

        await topology.StopAsync(b);
        await ProduceAsync(100);
        await Eventually.UntilAsync(() => Task.FromResult(Held(a).Count == 3 && Held(c).Count == 3), Deadline, "the two left should hold three each", Ct);
        Assert.Equal(Enumerable.Range(0, 6), new[] { a, c }.SelectMany(Held).Order());
        await AssertOnceAndInKeyOrderAsync(a, titles);
    }

    [Fact]
    public async Task An_instance_killed_mid_load_loses_its_partitions_to_the_other_and_nothing_is_lost_doubled_or_reordered()
    {
        await using var topology = await Topology.CreateAsync(servers, "rabbitmq", "postgres");
        var (consumerDb, a, producer) = await StartConsumerAndProducerAsync(topology);
        var titles = Enumerable.Range(1, 600).Select(i => $"task {i}").ToList();

        await using (var child = HostProcess.Start("Ates.Messaging.Node.dll", ["--transport", topology.Transport, "--namespace", topology.Namespace, "--consumer-db", consumerDb]))
        {
            await child.WaitForAsync("READY", Deadline);
            await Eventually.UntilAsync(() => Task.FromResult(Held(a).Count == 3), Deadline, "the child should take half the partitions", Ct);
            await TestNode.ProduceAsync(producer.Services, titles[..300], perTransaction: 5, Ct, KeyOf);
            // Killed while the load runs: whatever it had received and not committed goes back to its queues.
            var producing = TestNode.ProduceAsync(producer.Services, titles[300..], perTransaction: 5, Ct, KeyOf);
            await Eventually.UntilAsync(async () => await Topology.SeenCountAsync(a) > 350, Deadline, "the load should be under way", Ct);
            await child.KillAsync();
            await producing;
        }

        await Eventually.UntilAsync(() => Task.FromResult(Held(a).Count == 6), Deadline, "the survivor should take every partition", Ct);
        await AssertOnceAndInKeyOrderAsync(a, titles);
    }

    [Fact]
    public async Task Lowering_the_partition_count_moves_what_waits_in_the_queues_beyond_it_to_the_others()
    {
        await using var topology = await Topology.CreateAsync(servers, "rabbitmq", "postgres");
        var (consumerDb, six, producer) = await StartConsumerAndProducerAsync(topology);
        await topology.StopAsync(six);

        // Published while nobody consumes: they wait in all six queues.
        var titles = Enumerable.Range(1, 120).Select(i => $"task {i}").ToList();
        await TestNode.ProduceAsync(producer.Services, titles, perTransaction: 10, Ct, KeyOf);
        await Eventually.UntilAsync(() => Topology.QueryAsync(producer, db => db.Set<Ates.Messaging.Outbox.OutboxMessage>().AllAsync(m => m.PublishedAt != null, Ct)),
            Deadline, "every event should be published", Ct);

        var three = await topology.StartAsync(new NodeSettings("accounting", consumerDb, "rabbitmq") { TuneRabbit = r => r.Partitions = 3 });
        await Eventually.UntilAsync(async () => await Topology.SeenCountAsync(three) >= titles.Count, Deadline, "every task should be seen", Ct);
        Assert.Equal(titles.Order(), (await Topology.QueryAsync(three, db => db.SeenTasks.Select(s => s.Title).ToListAsync(Ct))).Order());
        Assert.Equal([0, 1, 2], Held(three).Order());
    }

    /// <summary>The share of the keys each partition gets through a consistent-hash exchange bound as the consumers bind it.</summary>
    [Fact]
    public async Task Six_partitions_each_get_about_a_sixth_of_the_keys()
    {
        var factory = new RabbitMQ.Client.ConnectionFactory { Uri = new Uri(servers.Rabbit.AmqpUri) };
        await using var connection = await factory.CreateConnectionAsync(Ct);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: Ct);
        var exchange = $"w{Guid.NewGuid():N}"[..12];
        await channel.ExchangeDeclareAsync(exchange, "x-consistent-hash", durable: false, autoDelete: false,
            arguments: new Dictionary<string, object?> { ["hash-header"] = BrokerTopology.PartitionKeyHeader }, cancellationToken: Ct);
        var queues = Enumerable.Range(0, 6).Select(p => $"{exchange}.p{p}").ToList();
        foreach (var queue in queues)
        {
            await channel.QueueDeclareAsync(queue, durable: false, exclusive: true, autoDelete: true, cancellationToken: Ct);
            await channel.QueueBindAsync(queue, exchange, BrokerTopology.PartitionWeight, cancellationToken: Ct);
        }
        for (var i = 0; i < 6000; i++)
            await channel.BasicPublishAsync(exchange, "", mandatory: false,
                new RabbitMQ.Client.BasicProperties { Headers = new Dictionary<string, object?> { [BrokerTopology.PartitionKeyHeader] = Guid.NewGuid().ToString() } },
                ReadOnlyMemory<byte>.Empty, Ct);

        var shares = new List<uint>();
        // Every key landed somewhere, and each partition holds within a third of the mean (1 000).
        await Eventually.UntilAsync(async () =>
        {
            var counts = new List<uint>();
            foreach (var queue in queues) counts.Add((await channel.QueueDeclarePassiveAsync(queue, Ct)).MessageCount);
            shares = counts;
            return counts.Sum(c => c) == 6000;
        }, Deadline, "all 6 000 messages should be routed", Ct);
        Assert.All(shares, n => Assert.InRange(n, 667u, 1333u));
    }

    [Theory]
    [InlineData(6, 1, new[] { 6 })]
    [InlineData(6, 2, new[] { 3, 3 })]
    [InlineData(6, 4, new[] { 2, 2, 1, 1 })]
    [InlineData(2, 3, new[] { 1, 1, 0 })]
    public void The_shares_add_up_to_the_partitions_and_differ_by_at_most_one(int partitions, int instances, int[] shares)
    {
        var names = Enumerable.Range(1, instances).Select(i => $"instance {i}").ToList();
        Assert.Equal(shares, names.Select(n => PartitionShare.ShareOf(n, partitions, names)));
    }

    [Fact]
    public void An_instance_takes_only_free_partitions_and_one_above_its_share_lets_go_of_its_highest()
    {
        string[] instances = ["a", "b"];
        // b holds all six (it was alone): a, new, takes nothing yet, b lets go of its three highest.
        var all = Enumerable.Range(0, 6).ToDictionary(p => p, _ => "b");
        Assert.Empty(PartitionShare.Plan("a", 6, instances, all).Take);
        Assert.Equal([3, 4, 5], PartitionShare.Plan("b", 6, instances, all).Release);
        // Once they are free, a takes them.
        var handedOn = all.Where(h => h.Key < 3).ToDictionary();
        Assert.Equal([3, 4, 5], PartitionShare.Plan("a", 6, instances, handedOn).Take);
        // The count lowered to 4: partitions 4 and 5 are let go of by whoever holds them.
        Assert.Equal([5], PartitionShare.Plan("a", 4, instances, new Dictionary<int, string> { [0] = "a", [1] = "a", [5] = "a" }).Release);
    }
}
