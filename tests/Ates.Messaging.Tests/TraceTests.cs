using System.Diagnostics;
using Ates.Messaging.Node;
using Ates.LocalServers;

namespace Ates.Messaging.Tests;

/// <summary>
/// Over RabbitMQ an event's trace goes on from its producer to its consumer (the envelope's traceparent), and the relay's
/// and the consumer's batches are spans of their own, linked to it.
/// </summary>
public sealed class TraceTests : IDisposable
{
    static readonly ActivitySource Caller = new("Ates.Messaging.Tests.Caller");
    readonly Servers _servers;
    readonly SpanRecorder _recorder = new("Ates.Messaging", "Ates.Messaging.Tests.Caller");
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    public TraceTests(Servers servers) => _servers = servers;

    [Fact]
    public async Task The_consumer_continues_the_producers_trace_and_the_relay_batch_is_linked_to_it()
    {
        await using var topology = await Topology.CreateAsync(_servers, "rabbitmq", "postgres");
        var consumer = await topology.StartAsync(new NodeSettings("accounting", await topology.NewDatabaseAsync("accounting"), topology.Transport));
        var producer = await topology.StartAsync(new NodeSettings("tasks", await topology.NewDatabaseAsync("tasks"), topology.Transport, Consume: false));

        ActivityTraceId trace;
        using (var request = Caller.StartActivity("a request that creates a task"))
        {
            trace = request!.TraceId;
            await TestNode.ProduceAsync(producer.Services, ["traced task"], 1, Ct);
        }

        // A batch's span ends after the handling of its events, with its commit.
        await Eventually.UntilAsync(() => Task.FromResult(_recorder.Spans.Any(s => s.DisplayName == "consume accounting" && s.Links.Any(l => l.Context.TraceId == trace))),
            TimeSpan.FromSeconds(30), "the consumer's batch should be committed and linked to the producer's trace", Ct);
        var spans = _recorder.Spans;
        var write = Assert.Single(spans, s => s.TraceId == trace && s.DisplayName.StartsWith("outbox ", StringComparison.Ordinal));
        var handled = Assert.Single(spans, s => s.TraceId == trace && s.DisplayName.StartsWith("handle ", StringComparison.Ordinal));
        Assert.Equal(write.SpanId, handled.ParentSpanId);
        Assert.Equal("accounting", handled.GetTagItem("messaging.consumer.group.name"));
        Assert.Contains(spans, s => s.DisplayName == "relay tasks" && s.Kind == ActivityKind.Producer && s.Links.Any(l => l.Context.SpanId == write.SpanId));
        Assert.Contains(spans, s => s.DisplayName == "consume accounting" && s.Kind == ActivityKind.Consumer && s.Links.Any(l => l.Context.SpanId == write.SpanId));
    }

    public void Dispose() => _recorder.Dispose();
}
