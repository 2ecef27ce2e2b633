using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Ates.Messaging.Node;
using Ates.LocalServers;
using Microsoft.Extensions.DependencyInjection;

namespace Ates.Messaging.Tests;

/// <summary>
/// The ops API every service maps (<see cref="Ops.OpsEndpoints.MapOps{TDb}"/>): a consumer's position in a producer's
/// log, and the producer's backlog after it — the consumer's lag — while the consumer is stuck on an event.
/// </summary>
public sealed class OpsStatusTests(Servers servers)
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;
    static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData("embedded", "sqlite")]
    [InlineData("rabbitmq", "postgres")]
    public async Task A_stuck_consumer_shows_its_position_and_the_producer_counts_what_it_has_not_handled(string transport, string database)
    {
        await using var topology = await Topology.CreateAsync(servers, transport, database);
        var (producerPort, consumerPort) = (FreePort.Next(), FreePort.Next());
        // The consumer's handler stops at "task 4" and waits there: it falls behind from then on.
        var consumer = await topology.StartAsync(new NodeSettings("accounting", await topology.NewDatabaseAsync("accounting"), topology.Transport)
            { HttpPort = consumerPort, HoldOn = "task 4" });
        var producer = await topology.StartAsync(new NodeSettings("tasks", await topology.NewDatabaseAsync("tasks"), topology.Transport, Consume: false)
            { HttpPort = producerPort });
        using var producerApi = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{producerPort}") };
        using var consumerApi = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{consumerPort}") };

        await TestNode.ProduceAsync(producer.Services, ["task 1", "task 2", "task 3"], 1, Ct);
        await Eventually.UntilAsync(async () => await Topology.SeenCountAsync(consumer) == 3, Deadline, "the first three should be handled", Ct);
        await TestNode.ProduceAsync(producer.Services, ["task 4", "task 5", "task 6", "task 7"], 1, Ct);

        // The producer's own log: seven events written.
        var tasks = await producerApi.GetFromJsonAsync<JsonElement>("/api/ops/status", Ct);
        Assert.Equal("tasks", tasks.GetProperty("service").GetString());
        Assert.Equal(7, tasks.GetProperty("log").GetProperty("lastSequence").GetInt64());
        Assert.Empty(tasks.GetProperty("consuming").EnumerateArray()); // it handles nothing

        // The consumer is at task 3's sequence, whatever it is busy with.
        var accounting = await consumerApi.GetFromJsonAsync<JsonElement>("/api/ops/status", Ct);
        var position = Assert.Single(accounting.GetProperty("consuming").EnumerateArray());
        Assert.Equal("tasks", position.GetProperty("producer").GetString());
        Assert.Equal(["task.created"], position.GetProperty("types").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal(3, position.GetProperty("position").GetInt64());
        Assert.Equal(3, position.GetProperty("handled").GetInt64());
        var firstHandledAt = position.GetProperty("lastHandledAt").GetDateTime();
        Assert.Equal(0, accounting.GetProperty("deadLetters").GetInt32());

        // Its lag, as the producer counts it: the four events after that position.
        var backlog = await producerApi.GetFromJsonAsync<JsonElement>("/api/ops/backlog?after=3&types=task.created", Ct);
        Assert.Equal(4, backlog.GetProperty("behind").GetInt64());
        Assert.Equal(7, backlog.GetProperty("lastSequence").GetInt64());
        Assert.NotEqual(JsonValueKind.Null, backlog.GetProperty("oldestBehindAt").ValueKind);
        // Types the consumer does not handle are not its lag.
        Assert.Equal(0, (await producerApi.GetFromJsonAsync<JsonElement>("/api/ops/backlog?after=3&types=task.completed", Ct)).GetProperty("behind").GetInt64());
        Assert.Equal(0, (await producerApi.GetFromJsonAsync<JsonElement>("/api/ops/backlog?after=7&types=task.created", Ct)).GetProperty("behind").GetInt64());

        // Let the handler go on; a poison event after it is parked as a dead letter, which the position passes too.
        await TestNode.ProduceAsync(producer.Services, ["poison 8"], 1, Ct);
        consumer.Services.GetRequiredService<HandlerFaults>().Release();
        await Eventually.UntilAsync(async () =>
        {
            var status = await consumerApi.GetFromJsonAsync<JsonElement>("/api/ops/status", Ct);
            return status.GetProperty("consuming")[0].GetProperty("position").GetInt64() == 8 && status.GetProperty("deadLetters").GetInt32() == 1;
        }, Deadline, "the consumer should catch up, parking the poison event", Ct);
        var caughtUp = await consumerApi.GetFromJsonAsync<JsonElement>("/api/ops/status", Ct);
        Assert.Equal(7, caughtUp.GetProperty("consuming")[0].GetProperty("handled").GetInt64());
        Assert.True(caughtUp.GetProperty("consuming")[0].GetProperty("lastHandledAt").GetDateTime() > firstHandledAt);
        Assert.Equal(0, (await producerApi.GetFromJsonAsync<JsonElement>("/api/ops/backlog?after=8&types=task.created", Ct)).GetProperty("behind").GetInt64());

        foreach (var query in new[] { "", "?types=task.created", "?after=-1&types=task.created", "?after=3", "?after=3&types=,," })
        {
            using var refused = await producerApi.GetAsync($"/api/ops/backlog{query}", Ct);
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        }
    }
}
