using Ates.Messaging.Inbox;
using Ates.Messaging.Outbox;
using Ates.Messaging.Node;
using Ates.LocalServers;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Ates.Messaging.Tests;

/// <summary>
/// The embedded bus with two subscribers of one producer: each consumes at its own pace, a row is marked published only
/// once both have committed it, and a restart loses nothing and doubles nothing.
/// </summary>
public sealed class EmbeddedPaceTests(Servers servers)
{
    static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    static Task<int> UnpublishedAsync(IHost producer) =>
        Topology.QueryAsync(producer, db => db.Set<OutboxMessage>().CountAsync(m => m.PublishedAt == null, Ct));

    static Task<List<SeenTask>> SeenAsync(IHost consumer) =>
        Topology.QueryAsync(consumer, db => db.SeenTasks.OrderBy(s => s.Id).ToListAsync(Ct));

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task A_blocked_subscriber_holds_back_neither_the_other_nor_the_producer_and_its_rows_wait_for_it(string database)
    {
        await using var topology = await Topology.CreateAsync(servers, "embedded", database);
        // Accounting's handler stops at the first event, inside its transaction, until released.
        var blocked = await topology.StartAsync(new NodeSettings("accounting", await topology.NewDatabaseAsync("accounting"), "embedded") { HoldOn = "task 1" });
        var free = await topology.StartAsync(new NodeSettings("analytics", await topology.NewDatabaseAsync("analytics"), "embedded"));
        var producer = await topology.StartAsync(new NodeSettings("tasks", await topology.NewDatabaseAsync("tasks"), "embedded", Consume: false));

        var titles = Enumerable.Range(1, 50).Select(i => $"task {i}").ToList();
        await TestNode.ProduceAsync(producer.Services, titles, perTransaction: 5, Ct);

        await Eventually.UntilAsync(async () => (await Topology.SeenCountAsync(free)) == titles.Count, Deadline,
            "the free subscriber should handle every event while the other is blocked", Ct);
        Assert.Equal(0, await Topology.SeenCountAsync(blocked));
        Assert.Equal(titles.Count, await UnpublishedAsync(producer));

        blocked.Services.GetRequiredService<HandlerFaults>().Release();
        await Eventually.UntilAsync(async () => await UnpublishedAsync(producer) == 0, Deadline,
            "once the blocked subscriber has committed them, every row should be marked published", Ct);
        Assert.Equal(titles, (await SeenAsync(blocked)).Select(s => s.Title));
        Assert.Equal(titles, (await SeenAsync(free)).Select(s => s.Title));
    }

    [Fact]
    public async Task Each_subscriber_gets_the_producers_events_in_sequence_order_at_its_own_speed()
    {
        await using var topology = await Topology.CreateAsync(servers, "embedded", "sqlite");
        var slow = await topology.StartAsync(new NodeSettings("accounting", await topology.NewDatabaseAsync("accounting"), "embedded") { HoldOn = "task 20" });
        var fast = await topology.StartAsync(new NodeSettings("analytics", await topology.NewDatabaseAsync("analytics"), "embedded"));
        // Small batches, so each subscriber goes through many of them.
        var producer = await topology.StartAsync(new NodeSettings("tasks", await topology.NewDatabaseAsync("tasks"), "embedded", Consume: false)
            { Tune = o => o.RelayBatchSize = 7 });

        var titles = Enumerable.Range(1, 200).Select(i => $"task {i}").ToList();
        await TestNode.ProduceAsync(producer.Services, titles[..100], perTransaction: 3, Ct);
        await Eventually.UntilAsync(async () => await Topology.SeenCountAsync(fast) == 100, Deadline, "the fast subscriber should be through the first half", Ct);

        // The slow one catches up while the second half is written.
        slow.Services.GetRequiredService<HandlerFaults>().Release();
        await TestNode.ProduceAsync(producer.Services, titles[100..], perTransaction: 3, Ct);
        await Eventually.UntilAsync(async () => await Topology.SeenCountAsync(slow) == 200 && await Topology.SeenCountAsync(fast) == 200, Deadline,
            "both subscribers should get every event", Ct);

        foreach (var consumer in new[] { slow, fast })
        {
            var seen = await SeenAsync(consumer);
            Assert.Equal(titles, seen.Select(s => s.Title));
            Assert.Equal(seen.Select(s => s.Sequence).Order(), seen.Select(s => s.Sequence));
        }
        await Eventually.UntilAsync(async () => await UnpublishedAsync(producer) == 0, Deadline, "every row should be marked published", Ct);
    }

    [Fact]
    public async Task After_a_restart_the_subscriber_that_had_not_committed_gets_the_events_and_the_other_none_twice()
    {
        var titles = Enumerable.Range(1, 30).Select(i => $"task {i}").ToList();
        await using var first = await Topology.CreateAsync(servers, "embedded", "sqlite");
        var (accountingDb, analyticsDb, tasksDb) = (await first.NewDatabaseAsync("accounting"), await first.NewDatabaseAsync("analytics"), await first.NewDatabaseAsync("tasks"));

        var blocked = await first.StartAsync(new NodeSettings("accounting", accountingDb, "embedded") { HoldOn = "task 1" });
        var free = await first.StartAsync(new NodeSettings("analytics", analyticsDb, "embedded"));
        var producer = await first.StartAsync(new NodeSettings("tasks", tasksDb, "embedded", Consume: false));
        await TestNode.ProduceAsync(producer.Services, titles, perTransaction: 10, Ct);
        await Eventually.UntilAsync(async () => await Topology.SeenCountAsync(free) == titles.Count, Deadline, "analytics should handle every event", Ct);
        Assert.Equal(titles.Count, await UnpublishedAsync(producer));
        // The producer goes first: its stop ends the blocked delivery, whose transaction rolls back.
        foreach (var host in new[] { producer, blocked, free }) await first.StopAsync(host);

        // A new process: a new bus and new hosts on the same files.
        await using var second = await Topology.CreateAsync(servers, "embedded", "sqlite");
        var accounting = await second.StartAsync(new NodeSettings("accounting", accountingDb, "embedded"));
        var analytics = await second.StartAsync(new NodeSettings("analytics", analyticsDb, "embedded"));
        producer = await second.StartAsync(new NodeSettings("tasks", tasksDb, "embedded", Consume: false));

        await Eventually.UntilAsync(async () => await UnpublishedAsync(producer) == 0, Deadline,
            "accounting should get the events after the restart, and every row be marked published", Ct);
        Assert.Equal(titles, (await SeenAsync(accounting)).Select(s => s.Title));
        // Analytics was offered them again from the lowest unpublished row; its inbox skipped every one.
        Assert.Equal(titles, (await SeenAsync(analytics)).Select(s => s.Title));
        Assert.Equal(titles.Count, await Topology.QueryAsync(analytics, db => db.Set<InboxMessage>().CountAsync(Ct)));
    }
}
