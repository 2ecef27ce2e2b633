using Ates.Messaging.DeadLetters;
using Ates.Messaging.Outbox;
using Ates.Messaging.Node;
using Ates.LocalServers;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

[assembly: AssemblyFixture(typeof(Ates.Messaging.Tests.Servers))]

namespace Ates.Messaging.Tests;

/// <summary>The outbox → relay → transport → inbox path on every transport and database.</summary>
public sealed class DeliveryTests(Servers servers)
{
    public static TheoryData<string, string> Everywhere => new()
    {
        { "embedded", "sqlite" },
        { "embedded", "postgres" },
        { "rabbitmq", "sqlite" },
        { "rabbitmq", "postgres" },
    };

    static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    async Task<(Topology Topology, IHost Producer, IHost Consumer)> StartPairAsync(string transport, string database)
    {
        var topology = await Topology.CreateAsync(servers, transport, database);
        var consumer = await topology.StartAsync(new NodeSettings("accounting", await topology.NewDatabaseAsync("accounting"), transport));
        var producer = await topology.StartAsync(new NodeSettings("tasks", await topology.NewDatabaseAsync("tasks"), transport, Consume: false));
        return (topology, producer, consumer);
    }

    /// <summary>
    /// The embedded bus keeps the producer's order; RabbitMQ keeps it per partition key (the events of one key share a
    /// partition queue, handled by one instance at a time), which is the order aTES's consumers rely on.
    /// </summary>
    [Theory, MemberData(nameof(Everywhere))]
    public async Task Every_event_arrives_once_and_in_sequence_order(string transport, string database)
    {
        var (topology, producer, consumer) = await StartPairAsync(transport, database);
        await using var _ = topology;

        var titles = Enumerable.Range(1, 300).Select(i => $"task {i}").ToList();
        static string KeyOf(string title) => $"popug {int.Parse(title["task ".Length..], System.Globalization.CultureInfo.InvariantCulture) % 7}";
        await TestNode.ProduceAsync(producer.Services, titles, perTransaction: 7, Ct, KeyOf);

        await Eventually.UntilAsync(async () => await Topology.SeenCountAsync(consumer) >= titles.Count, Deadline, "the consumer should see every task", Ct);
        var seen = await Topology.QueryAsync(consumer, db => db.SeenTasks.OrderBy(s => s.Id).ToListAsync(Ct));
        Assert.Equal(titles.Order(), seen.Select(s => s.Title).Order());
        foreach (var key in seen.GroupBy(s => KeyOf(s.Title)))
        {
            Assert.Equal(titles.Where(t => KeyOf(t) == key.Key), key.Select(s => s.Title));
            Assert.Equal(key.Select(s => s.Sequence).Order(), key.Select(s => s.Sequence));
        }
        if (transport == "embedded") Assert.Equal(titles, seen.Select(s => s.Title));
        await Eventually.UntilAsync(() => Topology.QueryAsync(producer, db => db.Set<OutboxMessage>().AllAsync(m => m.PublishedAt != null, Ct)),
            Deadline, "every outbox row should be marked published", Ct);
    }

    [Theory, MemberData(nameof(Everywhere))]
    public async Task Every_event_delivered_twice_is_handled_once(string transport, string database)
    {
        var (topology, producer, consumer) = await StartPairAsync(transport, database);
        await using var _ = topology;

        await TestNode.ProduceAsync(producer.Services, Enumerable.Range(1, 60).Select(i => $"task {i}"), perTransaction: 10, Ct);
        await Eventually.UntilAsync(async () => await Topology.SeenCountAsync(consumer) == 60, Deadline, "the first delivery should arrive", Ct);
        // Only published rows are replayed, and the relay marks them just after the consumer has them.
        await Eventually.UntilAsync(() => Topology.QueryAsync(producer, db => db.Set<OutboxMessage>().AllAsync(m => m.PublishedAt != null, Ct)),
            Deadline, "every outbox row should be marked published", Ct);

        // The whole log once more, straight into the consumer: a redelivery of every event.
        long replayed;
        await using (var scope = producer.Services.CreateAsyncScope())
            replayed = await scope.ServiceProvider.GetRequiredService<EventLog<TestDb>>().ReplayAsync("accounting", 0, null, Ct);
        Assert.Equal(60, replayed);

        // The redelivered events are all in the consumer's hands once a marker sent after them is.
        await TestNode.ProduceAsync(producer.Services, ["marker"], 1, Ct);
        await Eventually.UntilAsync(() => Topology.QueryAsync(consumer, db => db.SeenTasks.AnyAsync(s => s.Title == "marker", Ct)), Deadline, "the marker should arrive", Ct);
        Assert.Equal(61, await Topology.SeenCountAsync(consumer));
        Assert.Equal(61, await Topology.QueryAsync(consumer, db => db.SeenTasks.Select(s => s.EventId).Distinct().CountAsync(Ct)));
    }

    [Theory, MemberData(nameof(Everywhere))]
    public async Task Invalid_and_poison_events_are_dead_lettered_and_the_rest_flow(string transport, string database)
    {
        var (topology, producer, consumer) = await StartPairAsync(transport, database);
        await using var _ = topology;

        await TestNode.ProduceAsync(producer.Services, ["before", "poison pill", "flaky but fine"], 1, Ct);
        // A row the producer's validation would refuse, written around it: a title with brackets.
        await using (var scope = producer.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<TestDb>();
            db.Set<OutboxMessage>().Add(new OutboxMessage
            {
                EventId = Guid.NewGuid(), Type = "task.created", Version = 2, DataSchema = "ates:schemas/tasks/task.created/2.json",
                PartitionKey = "x", OccurredAt = DateTime.UtcNow,
                Data = $$"""{"task_id":"{{Guid.NewGuid()}}","title":"[UBERPOP-1] bad","jira_id":null,"description":"","entity_version":1}""",
            });
            await db.SaveChangesAsync(Ct);
        }
        await TestNode.ProduceAsync(producer.Services, ["after"], 1, Ct);

        await Eventually.UntilAsync(async () => await Topology.SeenCountAsync(consumer) == 3, Deadline,
            "the events around the bad ones, and the flaky one after its retry, should be handled", Ct);
        await Eventually.UntilAsync(async () => await Topology.QueryAsync(consumer, db => db.Set<DeadLetter>().CountAsync(Ct)) == 2,
            Deadline, "both bad events should be dead-lettered", Ct);

        var seen = await Topology.QueryAsync(consumer, db => db.SeenTasks.Select(s => s.Title).ToListAsync(Ct));
        Assert.Equal(["after", "before", "flaky but fine"], seen.Order());

        await using var ops = consumer.Services.CreateAsyncScope();
        var store = ops.ServiceProvider.GetRequiredService<DeadLetterStore<TestDb>>();
        var letters = await store.ListAsync(Ct);
        var poison = Assert.Single(letters, l => l.Reason.Contains("cannot digest 'poison pill'", StringComparison.Ordinal));
        Assert.StartsWith("Handler failed 3 times", poison.Reason);
        var invalid = Assert.Single(letters, l => l.Reason.Contains("fails its schema", StringComparison.Ordinal));
        Assert.Contains("title", invalid.Reason);

        // Retrying the poison fails again and leaves one dead letter with the fresh reason; discarding removes the other.
        Assert.Equal(Transports.ConsumeOutcome.DeadLettered, await store.RetryAsync(poison.Id, Ct));
        Assert.True(await store.DiscardAsync(invalid.Id, Ct));
        var left = await store.ListAsync(Ct);
        Assert.Equal(poison.EventId, Assert.Single(left).EventId);
        Assert.False(await store.DiscardAsync(invalid.Id, Ct));
    }

    [Theory, MemberData(nameof(Everywhere))]
    public async Task Replay_into_an_empty_consumer_gives_the_live_state(string transport, string database)
    {
        var (topology, producer, consumer) = await StartPairAsync(transport, database);
        await using var _ = topology;

        await TestNode.ProduceAsync(producer.Services, Enumerable.Range(1, 120).Select(i => $"task {i}"), perTransaction: 12, Ct);
        await Eventually.UntilAsync(async () => await Topology.SeenCountAsync(consumer) == 120, Deadline, "live delivery should complete", Ct);
        var live = await Topology.QueryAsync(consumer, db => db.SeenTasks.OrderBy(s => s.Sequence).Select(s => new { s.TaskId, s.Title, s.Sequence }).ToListAsync(Ct));

        // The consumer loses its database and starts again on an empty one.
        await topology.StopAsync(consumer);
        var rebuilt = await topology.StartAsync(new NodeSettings("accounting", await topology.NewDatabaseAsync("accounting-rebuilt"), transport));
        var progress = new List<long>();
        await using (var scope = producer.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<EventLog<TestDb>>().ReplayAsync("accounting", 0, new Progress<long>(progress.Add), Ct);

        await Eventually.UntilAsync(async () => await Topology.SeenCountAsync(rebuilt) == 120, Deadline, "the replay should rebuild every row", Ct);
        var replayed = await Topology.QueryAsync(rebuilt, db => db.SeenTasks.OrderBy(s => s.Sequence).Select(s => new { s.TaskId, s.Title, s.Sequence }).ToListAsync(Ct));
        Assert.Equal(live, replayed);
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task In_process_a_failing_event_waits_for_its_retry_without_holding_up_the_events_behind_it(string database)
    {
        await using var topology = await Topology.CreateAsync(servers, "embedded", database);
        // A retry delay far longer than the test's deadline: waiting it out inline would fail the test.
        var consumer = await topology.StartAsync(new NodeSettings("accounting", await topology.NewDatabaseAsync("accounting"), "embedded")
            { Tune = o => o.RetryDelays = [TimeSpan.FromMinutes(5)] });
        var producer = await topology.StartAsync(new NodeSettings("tasks", await topology.NewDatabaseAsync("tasks"), "embedded", Consume: false));

        await TestNode.ProduceAsync(producer.Services, ["poison first", .. Enumerable.Range(1, 20).Select(i => $"after {i}")], 1, Ct);

        await Eventually.UntilAsync(async () => await Topology.SeenCountAsync(consumer) == 20, TimeSpan.FromSeconds(20),
            "the events behind the failing one should be handled while it waits for its retry", Ct);
        // The relay marks a batch published just after the consumer committed it: wait for that, too.
        await Eventually.UntilAsync(async () => await Topology.QueryAsync(producer, db => db.Set<OutboxMessage>().CountAsync(m => m.PublishedAt == null, Ct)) == 1,
            TimeSpan.FromSeconds(20), "every row but the failing one should be marked published", Ct);
        var poison = await Topology.QueryAsync(producer, db => db.Set<OutboxMessage>().SingleAsync(m => m.PublishedAt == null, Ct));
        Assert.Equal(1, poison.Sequence);
        Assert.True(poison.NextAttemptAt > DateTime.UtcNow.AddMinutes(4), $"the row should wait out the consumer's delay, not {poison.NextAttemptAt:O}");
        Assert.Equal(0, await Topology.QueryAsync(consumer, db => db.Set<DeadLetter>().CountAsync(Ct)));
    }
}
