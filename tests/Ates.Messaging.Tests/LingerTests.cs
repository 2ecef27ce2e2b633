using System.Diagnostics;
using Ates.Messaging.Node;
using Ates.LocalServers;

namespace Ates.Messaging.Tests;

/// <summary>
/// A waiting consumer, once woken, lets the producer's next commits gather (<see cref="MessagingOptions.DeliveryLinger"/>):
/// ten commits in a row reach it as one batch, in process and over RabbitMQ (where the relay lingers too).
/// </summary>
public sealed class LingerTests : IDisposable
{
    static readonly ActivitySource Caller = new("Ates.Messaging.Tests.Linger");
    // Long, so that the ten commits fall inside it however loaded the machine is.
    static readonly TimeSpan Linger = TimeSpan.FromSeconds(2);
    readonly Servers _servers;
    readonly SpanRecorder _recorder = new("Ates.Messaging", "Ates.Messaging.Tests.Linger");
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    public LingerTests(Servers servers) => _servers = servers;

    [Theory]
    [InlineData("embedded", "sqlite")]
    [InlineData("rabbitmq", "postgres")]
    public async Task Commits_that_come_while_the_consumer_lingers_reach_it_in_one_batch(string transport, string database)
    {
        await using var topology = await Topology.CreateAsync(_servers, transport, database);
        // Only commits wake the relay: a poll that fell among the ten would publish part of them without lingering.
        void Tune(MessagingOptions o)
        {
            o.DeliveryLinger = Linger;
            o.RelayPollInterval = TimeSpan.FromMinutes(1);
        }
        var consumer = await topology.StartAsync(new NodeSettings("accounting", await topology.NewDatabaseAsync("accounting"), topology.Transport) { Tune = Tune });
        var producer = await topology.StartAsync(new NodeSettings("tasks", await topology.NewDatabaseAsync("tasks"), topology.Transport, Consume: false) { Tune = Tune });

        // A first event, so that the consumer is past its start and waiting when the ten come.
        await TestNode.ProduceAsync(producer.Services, ["warm-up"], 1, Ct);
        await Eventually.UntilAsync(async () => await Topology.SeenCountAsync(consumer) == 1, TimeSpan.FromSeconds(60), "the warm-up should be handled", Ct);

        ActivityTraceId trace;
        using (var request = Caller.StartActivity("ten commits in a row"))
        {
            trace = request!.TraceId;
            await TestNode.ProduceAsync(producer.Services, Enumerable.Range(1, 10).Select(i => $"task {i}"), perTransaction: 1, Ct);
        }
        await Eventually.UntilAsync(async () => await Topology.SeenCountAsync(consumer) == 11, TimeSpan.FromSeconds(60), "the ten should be handled", Ct);

        // The batch span ends with its commit, just after the handling the count saw.
        IReadOnlyList<Activity> Batches() => _recorder.Spans.Where(s => s.DisplayName == "consume accounting" && s.Links.Any(l => l.Context.TraceId == trace)).ToList();
        await Eventually.UntilAsync(() => Task.FromResult(Batches().Sum(b => (int)b.GetTagItem("messaging.batch.message_count")!) == 10),
            TimeSpan.FromSeconds(30), "the batches of the ten should be recorded", Ct);
        var batch = Assert.Single(Batches());
        Assert.Equal(10, batch.Links.Count(l => l.Context.TraceId == trace));
    }

    public void Dispose() => _recorder.Dispose();
}
