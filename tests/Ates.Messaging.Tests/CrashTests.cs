using Ates.Messaging.Outbox;
using Ates.Messaging.Node;
using Ates.LocalServers;
using Ates.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;

namespace Ates.Messaging.Tests;

/// <summary>A real process killed with SIGKILL at the points where a message could be lost or doubled.</summary>
public sealed class CrashTests(Servers servers)
{
    public static TheoryData<string, string> Transports => new()
    {
        { "embedded", "sqlite" },
        { "rabbitmq", "postgres" },
    };

    static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    static string[] Args(Topology topology, params string[] more) =>
        ["--transport", topology.Transport, "--namespace", topology.Namespace, .. more];

    [Theory, MemberData(nameof(Transports))]
    public async Task Committed_then_killed_before_publishing_is_published_after_restart_once(string transport, string database)
    {
        await using var topology = await Topology.CreateAsync(servers, transport, database);
        var producerDb = await topology.NewDatabaseAsync("tasks");
        var consumerDb = await topology.NewDatabaseAsync("accounting");

        await using (var child = HostProcess.Start("Ates.Messaging.Node.dll", Args(topology, "--producer-db", producerDb, "--no-relay", "--produce", "20")))
        {
            await child.WaitForAsync("PRODUCED 20", Deadline);
            await child.KillAsync();
        }
        var unpublished = await WithDbAsync(producerDb, db => db.Set<OutboxMessage>().CountAsync(m => m.PublishedAt == null, Ct));
        Assert.Equal(20, unpublished);

        var consumer = await topology.StartAsync(new NodeSettings("accounting", consumerDb, transport));
        await topology.StartAsync(new NodeSettings("tasks", producerDb, transport, Consume: false));
        await AssertExactlyOnceAsync(consumer, producerDb);
    }

    [Theory, MemberData(nameof(Transports))]
    public async Task Consumer_killed_before_its_commit_gets_the_event_again_and_handles_it_once(string transport, string database)
    {
        await using var topology = await Topology.CreateAsync(servers, transport, database);
        var producerDb = await topology.NewDatabaseAsync("tasks");
        var consumerDb = await topology.NewDatabaseAsync("accounting");

        // Embedded delivery happens inside the producer's process, so both run in the child there.
        var producerInChild = transport == "embedded";
        var childArgs = Args(topology, "--consumer-db", consumerDb, "--hold-on", "task 5");
        if (producerInChild) childArgs = [.. childArgs, "--producer-db", producerDb, "--produce", "10"];

        await using (var child = HostProcess.Start("Ates.Messaging.Node.dll", childArgs))
        {
            await child.WaitForAsync("READY", Deadline);
            if (!producerInChild)
            {
                var producer = await topology.StartAsync(new NodeSettings("tasks", producerDb, transport, Consume: false));
                await TestNode.ProduceAsync(producer.Services, Enumerable.Range(1, 10).Select(i => $"task {i}"), 1, Ct);
            }
            await child.WaitForAsync("HOLDING", Deadline);
            await child.KillAsync();
        }

        var consumer = await topology.StartAsync(new NodeSettings("accounting", consumerDb, transport));
        if (producerInChild) await topology.StartAsync(new NodeSettings("tasks", producerDb, transport, Consume: false));
        await AssertExactlyOnceAsync(consumer, producerDb);
    }

    [Theory, MemberData(nameof(Transports))]
    public async Task Killed_again_and_again_during_a_load_nothing_is_lost_or_doubled(string transport, string database)
    {
        await using var topology = await Topology.CreateAsync(servers, transport, database);
        var producerDb = await topology.NewDatabaseAsync("tasks");
        var consumerDb = await topology.NewDatabaseAsync("accounting");
        var random = new Random(20261124);

        for (var round = 1; round <= 4; round++)
        {
            // Killed after a random number of committed transactions, with the relay and the consumer mid-flight.
            var killAfter = random.Next(2, 30) * 5;
            await using var child = HostProcess.Start("Ates.Messaging.Node.dll", Args(topology, "--producer-db", producerDb, "--consumer-db", consumerDb,
                "--produce", "150", "--prefix", $"round {round}"));
            await child.WaitForAsync($"PRODUCED {killAfter}", Deadline);
            await child.KillAsync();
        }

        var consumer = await topology.StartAsync(new NodeSettings("accounting", consumerDb, transport));
        await topology.StartAsync(new NodeSettings("tasks", producerDb, transport, Consume: false));
        await AssertExactlyOnceAsync(consumer, producerDb);
    }

    async Task AssertExactlyOnceAsync(IHost consumer, string producerDb)
    {
        var created = await WithDbAsync(producerDb, db => db.CreatedTasks.Select(t => t.TaskId).ToListAsync(Ct));
        Assert.NotEmpty(created);
        await Eventually.UntilAsync(async () => await Topology.SeenCountAsync(consumer) >= created.Count, Deadline,
            $"the consumer should see all {created.Count} tasks the producer committed", Ct);
        await Eventually.UntilAsync(() => WithDbAsync(producerDb, db => db.Set<OutboxMessage>().AllAsync(m => m.PublishedAt != null, Ct)),
            Deadline, "every outbox row should end up published", Ct);

        var seen = await Topology.QueryAsync(consumer, db => db.SeenTasks.Select(s => s.TaskId).ToListAsync(Ct));
        Assert.Equal(created.Order(), seen.Order());
    }

    static async Task<T> WithDbAsync<T>(string database, Func<TestDb, Task<T>> query)
    {
        var options = new DbContextOptionsBuilder<TestDb>();
        TestNode.Configure(options, database);
        await using var db = new TestDb(options.Options);
        return await query(db);
    }
}
