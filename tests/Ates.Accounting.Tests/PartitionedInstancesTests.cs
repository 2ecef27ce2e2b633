using Ates.Accounting.Data;
using Ates.Accounting.TestHost;
using Ates.Contracts;
using Ates.Messaging;
using Ates.Messaging.Envelope;
using Ates.Messaging.Inbox;
using Ates.Messaging.Outbox;
using Ates.Messaging.Transports.RabbitMq;
using Ates.ServiceDefaults.Hosting;
using Ates.LocalServers;
using Ates.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Ates.Accounting.Billing;

namespace Ates.Accounting.Tests;

/// <summary>
/// Several real Accounting processes on one PostgreSQL database consuming their partitions from a real RabbitMQ, under
/// a load of two working days, while instances are SIGKILLed and started: the end state is one instance's, every task
/// event is handled once, and each task's events in their order (each instance writes down what it committed).
/// </summary>
public sealed class PartitionedInstancesTests(PostgresFixture postgres, RabbitMqFixture rabbit)
    : IClassFixture<PostgresFixture>, IClassFixture<RabbitMqFixture>, IDisposable
{
    static readonly TimeSpan Deadline = TimeSpan.FromSeconds(120);
    static CancellationToken Ct => TestContext.Current.CancellationToken;
    readonly string _folder = Directory.CreateTempSubdirectory("ates-accounting-partitions-").FullName;
    readonly string _namespace = $"p{Guid.NewGuid():N}"[..12];
    readonly List<HostProcess> _instances = [];

    /// <summary>Two days of a dozen workers: tasks created and assigned, a third reassigned, most completed.</summary>
    sealed class LoadDays
    {
        public EventScript Script { get; } = new(AccountingApp.Start);
        public List<EventEnvelope> Users { get; } = [];
        public List<EventEnvelope> Day1 { get; } = [];
        public EventEnvelope Day1Marker { get; }
        public List<EventEnvelope> Day2 { get; } = [];
        public EventEnvelope Day2Marker { get; }
        public IEnumerable<EventEnvelope> All => [.. Users, .. Day1, Day1Marker, .. Day2, Day2Marker];

        public LoadDays(int seed)
        {
            var random = new Random(seed);
            var s = Script;
            var workers = Enumerable.Range(1, 12).Select(i => Guid.Parse($"30000000-0000-0000-0000-{i:D12}")).ToList();
            Users.AddRange(workers.Select((w, i) => s.User(w, $"Worker {i + 1}", UserRole.Worker)));
            Users.Add(s.User(Guid.Parse("30000000-0000-0000-0000-0000000000aa"), "Max Manager", UserRole.Manager));
            var open = new Dictionary<Guid, Guid>();
            void Work(List<EventEnvelope> day, int created, int reassigned, int completed)
            {
                for (var i = 0; i < created; i++)
                {
                    var task = Guid.CreateVersion7();
                    var worker = workers[random.Next(workers.Count)];
                    day.Add(s.Created(task, $"Task {open.Count + i}", random.Next(10, 21), random.Next(20, 41)));
                    day.Add(s.Assigned(task, worker));
                    open[task] = worker;
                }
                foreach (var task in open.Keys.OrderBy(_ => random.Next()).Take(reassigned).ToList())
                {
                    var worker = workers[random.Next(workers.Count)];
                    day.Add(s.Assigned(task, worker, previous: open[task]));
                    open[task] = worker;
                }
                foreach (var task in open.Keys.OrderBy(_ => random.Next()).Take(completed).ToList())
                {
                    day.Add(s.Completed(task, open[task]));
                    open.Remove(task);
                }
            }
            Work(Day1, created: 120, reassigned: 40, completed: 80);
            Day1Marker = s.CloseDay(AccountingApp.Day1);
            Work(Day2, created: 80, reassigned: 30, completed: 90);
            Day2Marker = s.CloseDay(AccountingApp.Day1.AddDays(1));
        }

        public bool IsTaskEvent(EventEnvelope e) => e.Type.StartsWith("task.", StringComparison.Ordinal);
    }

    /// <summary>What one instance fed the events in order comes to.</summary>
    static async Task<string> OneInstanceAsync(LoadDays load)
    {
        await using var single = new AccountingApp();
        foreach (var (task, prices) in load.Script.Prices) single.Prices.Prices[task] = prices;
        await single.DeliverAsync(load.All, batch: 20);
        return await single.EndStateAsync();
    }

    sealed record Setup(string Database, string ScriptFile, string Mail);

    async Task<Setup> PrepareAsync(LoadDays load)
    {
        var database = $"postgres:{await postgres.CreateUniqueDatabaseAsync("accounting", Ct)}";
        var scriptFile = Path.Combine(_folder, "prices.json");
        load.Script.Save(scriptFile, []);
        return new Setup(database, scriptFile, Path.Combine(_folder, "mail"));
    }

    async Task<HostProcess> StartInstanceAsync(Setup setup, string name, params string[] more)
    {
        var instance = LaunchInstance(setup, name, more);
        await instance.WaitForAsync("CONSUMING", Deadline);
        return instance;
    }

    HostProcess LaunchInstance(Setup setup, string name, params string[] more)
    {
        string[] arguments = ["--db", setup.Database, "--mail", setup.Mail, "--script", setup.ScriptFile, "--now", AccountingApp.Start.ToString("O"),
            "--transport", $"rabbitmq:{rabbit.AmqpUri}", "--namespace", _namespace, "--record", Path.Combine(_folder, $"{name}.handled"), .. more];
        var instance = HostProcess.Start("Ates.Accounting.TestHost.dll", arguments);
        _instances.Add(instance);
        return instance;
    }

    /// <summary>The live partition leases: holder → how many.</summary>
    static async Task<Dictionary<string, int>> SharesAsync(Setup setup)
    {
        await using var db = Open(setup.Database);
        var now = DateTime.UtcNow;
        return (await db.Set<RelayLease>().AsNoTracking().Where(l => l.Name.StartsWith("partition/") && l.ExpiresAt >= now).ToListAsync(Ct))
            .GroupBy(l => l.Holder).ToDictionary(g => g.Key, g => g.Count());
    }

    static Task WaitForSharesAsync(Setup setup, int[] shares, string because) =>
        Eventually.UntilAsync(async () => (await SharesAsync(setup)).Values.Order().SequenceEqual(shares.Order()), Deadline, because, Ct);

    async Task PublishAsync(IEnumerable<EventEnvelope> events)
    {
        // Each producer's events through its own exchange, in order, as its relay publishes them.
        foreach (var run in events.Chunk(25))
            foreach (var bySource in run.GroupBy(e => e.Source))
            {
                var producer = bySource.Key == EventEnvelope.SourceOf("auth") ? "auth" : "tasks";
                await using var transport = Publisher(producer);
                await transport.PublishAsync(bySource.ToList(), Ct);
            }
    }

    RabbitMqTransport Publisher(string producer)
    {
        var options = new RabbitMqOptions { Uri = rabbit.AmqpUri, Namespace = _namespace };
        var messaging = new MessagingOptions { Service = producer };
        return new RabbitMqTransport(new RabbitMqConnection(options, messaging, NullLogger<RabbitMqConnection>.Instance), options, messaging,
            EventRegistry.Default, NullLogger<RabbitMqTransport>.Instance);
    }

    static async Task<int> HandledTaskEventsAsync(Setup setup)
    {
        await using var db = Open(setup.Database);
        return await db.Set<InboxMessage>().CountAsync(m => m.Type.StartsWith("task."), Ct);
    }

    /// <summary>Both days closed and paid, then: the end state is one instance's; every task event was handled once, each task's in order.</summary>
    async Task AssertAsOneInstanceAsync(Setup setup, LoadDays load)
    {
        await Eventually.UntilAsync(async () =>
        {
            await using var db = Open(setup.Database);
            return await db.Days.CountAsync(d => d.IsClosed, Ct) == 2;
        }, Deadline, "both days should close", Ct);
        await using (var db = Open(setup.Database))
        {
            Assert.Equal(await OneInstanceAsync(load), await EndState.DescribeAsync(db));
            var taskEvents = load.All.Where(load.IsTaskEvent).Select(e => e.Id).Order().ToList();
            Assert.Equal(taskEvents, await db.Set<InboxMessage>().Where(m => m.Type.StartsWith("task.")).Select(m => m.EventId).OrderBy(id => id).ToListAsync(Ct));
        }

        // Each instance wrote "ticks key sequence" after each commit; merged by time, a task's events come in their order, once.
        var handled = Directory.GetFiles(_folder, "*.handled").SelectMany(File.ReadAllLines)
            .Select(l => l.Split(' ')).Select(p => (Ticks: long.Parse(p[0]), Key: p[1], Sequence: long.Parse(p[2]))).ToList();
        Assert.NotEmpty(handled);
        foreach (var task in handled.OrderBy(h => h.Ticks).GroupBy(h => h.Key))
        {
            var sequences = task.Select(h => h.Sequence).ToList();
            Assert.True(sequences.Zip(sequences.Skip(1)).All(p => p.First < p.Second), $"task {task.Key}'s events were handled as {string.Join(", ", sequences)}");
        }
    }

    [Fact]
    public async Task Two_then_three_instances_with_one_killed_mid_day_pay_what_one_instance_pays()
    {
        var load = new LoadDays(20261202);
        var setup = await PrepareAsync(load);
        var a = await StartInstanceAsync(setup, "a");
        await StartInstanceAsync(setup, "b");
        await WaitForSharesAsync(setup, [3, 3], "two instances should hold three partitions each");

        await PublishAsync([.. load.Users, .. load.Day1[..150]]);
        await Eventually.UntilAsync(async () => await HandledTaskEventsAsync(setup) >= 60, Deadline, "the day should be under way", Ct);
        // SIGKILL while it consumes: what it had not committed goes back to its queues; its partitions pass on after their leases.
        await a.KillAsync();
        await StartInstanceAsync(setup, "c");
        await PublishAsync([.. load.Day1[150..], load.Day1Marker]);
        // Another instance arrives right after day 1's marker, likely while its close runs (the held-close test below
        // makes sure of it): the partitions are shared again meanwhile.
        await StartInstanceAsync(setup, "d");
        await PublishAsync([.. load.Day2, load.Day2Marker]);
        await WaitForSharesAsync(setup, [2, 2, 2], "three live instances should hold two partitions each");

        await AssertAsOneInstanceAsync(setup, load);
    }

    [Fact]
    public async Task A_close_held_by_an_instance_that_is_then_killed_is_made_by_the_instance_that_takes_its_partitions()
    {
        var load = new LoadDays(20261203);
        var setup = await PrepareAsync(load);
        var holder = await StartInstanceAsync(setup, "holder", "--hold-close");
        await WaitForSharesAsync(setup, [6], "one instance should hold every partition");

        await PublishAsync([.. load.Users, .. load.Day1, load.Day1Marker]);
        Assert.Equal($"CLOSING {AccountingApp.Day1:yyyy-MM-dd}", await holder.WaitForAsync("CLOSING", Deadline));
        // A second instance arrives during the close: the holder, its consumer stuck in the close, cannot settle and hand
        // on the partitions the new one asks for, stops renewing its leases and so loses them all; each queue's single
        // active consumer keeps the new one from consuming a partition the holder still does. Then the holder is killed.
        var stuck = (await SharesAsync(setup)).Keys.Single();
        await StartInstanceAsync(setup, "taker");
        await Eventually.UntilAsync(async () => await SharesAsync(setup) is { Count: 1 } shares && shares.Single() is var (holderName, count) && holderName != stuck && count == 6,
            Deadline, "the new instance should take every partition from the stuck one", Ct);
        await holder.KillAsync();
        await PublishAsync([.. load.Day2, load.Day2Marker]);

        await AssertAsOneInstanceAsync(setup, load);
    }

    static AccountingDb Open(string database)
    {
        var options = new DbContextOptionsBuilder<AccountingDb>();
        options.UseServiceDatabase(database, "test");
        return new AccountingDb(options.Options);
    }

    public void Dispose()
    {
        foreach (var instance in _instances) instance.DisposeAsync().AsTask().GetAwaiter().GetResult();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }
}
