using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Ates.Messaging.Outbox;
using Ates.Messaging.Node;
using Ates.LocalServers;
using Microsoft.EntityFrameworkCore;

namespace Ates.Messaging.Tests;

/// <summary>The replay API a producer maps (<see cref="EventLogEndpoints.MapEventLogReplay{TDb}"/>), through HTTP.</summary>
public sealed class ReplayApiTests(Servers servers)
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;
    static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData("embedded")]
    [InlineData("rabbitmq")]
    public async Task A_consumer_that_lost_its_data_is_refed_over_http_and_bad_requests_are_refused(string transport)
    {
        await using var topology = await Topology.CreateAsync(servers, transport, "sqlite");
        var port = FreePort.Next();
        var consumer = await topology.StartAsync(new NodeSettings("accounting", await topology.NewDatabaseAsync("accounting"), topology.Transport));
        var producer = await topology.StartAsync(new NodeSettings("tasks", await topology.NewDatabaseAsync("tasks"), topology.Transport, Consume: false)
            { HttpPort = port });
        await TestNode.ProduceAsync(producer.Services, Enumerable.Range(1, 5).Select(i => $"task {i}"), 1, Ct);
        await Eventually.UntilAsync(async () => await Topology.SeenCountAsync(consumer) == 5, Deadline, "live delivery should complete", Ct);
        // Only published rows are replayed (the relay delivers the rest): wait for the relay's marks.
        await Eventually.UntilAsync(async () => await Topology.QueryAsync(producer, db => db.Set<OutboxMessage>().CountAsync(m => m.PublishedAt != null, Ct)) == 5,
            Deadline, "every row should be marked published", Ct);

        await topology.StopAsync(consumer);
        var rebuilt = await topology.StartAsync(new NodeSettings("accounting", await topology.NewDatabaseAsync("accounting-rebuilt"), topology.Transport));
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };

        using var whole = await http.PostAsJsonAsync("/api/ops/replay", new { consumer = "accounting" }, Ct);
        Assert.Equal(HttpStatusCode.OK, whole.StatusCode);
        var result = await whole.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal(("tasks", "accounting", 0, 5, 5), (result.GetProperty("producer").GetString(), result.GetProperty("consumer").GetString(),
            result.GetProperty("from").GetInt64(), result.GetProperty("sent").GetInt64(), result.GetProperty("lastSequence").GetInt64()));
        await Eventually.UntilAsync(async () => await Topology.SeenCountAsync(rebuilt) == 5, Deadline, "the replay should rebuild every row", Ct);

        // From a position: only the tail is sent, and the consumer's inbox skips what it already has.
        using var tail = await http.PostAsJsonAsync("/api/ops/replay", new { consumer = "accounting", from = 4 }, Ct);
        Assert.Equal(2, (await tail.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("sent").GetInt64());

        foreach (var (body, field) in new[] { ("{}", "consumer"), ("""{"consumer":"Accounting!"}""", "consumer"), ("""{"consumer":"accounting","from":-1}""", "from") })
        {
            using var refused = await http.PostAsync("/api/ops/replay", new StringContent(body, System.Text.Encoding.UTF8, "application/json"), Ct);
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            Assert.True((await refused.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errors").TryGetProperty(field, out _), body);
        }
        using var unknown = await http.PostAsJsonAsync("/api/ops/replay", new { consumer = "nobody" }, Ct);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("nobody", (await unknown.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("detail").GetString());

        // Refusals and duplicates changed nothing: one row per task.
        await Eventually.UntilAsync(async () => await Topology.SeenCountAsync(rebuilt) == 5, Deadline, "duplicates are skipped", Ct);
    }
}
