using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Ates.Messaging.Node;
using Ates.LocalServers;
using Microsoft.EntityFrameworkCore;

namespace Ates.Messaging.Tests;

/// <summary>The ops API over dead letters, through HTTP.</summary>
public sealed class DeadLetterApiTests(Servers servers)
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Dead_letters_are_listed_retried_and_discarded_over_http()
    {
        await using var topology = await Topology.CreateAsync(servers, "embedded", "sqlite");
        var port = FreePort.Next();
        var consumer = await topology.StartAsync(new NodeSettings("accounting", await topology.NewDatabaseAsync("accounting"), "embedded") { HttpPort = port });
        var producer = await topology.StartAsync(new NodeSettings("tasks", await topology.NewDatabaseAsync("tasks"), "embedded", Consume: false));
        await TestNode.ProduceAsync(producer.Services, ["poison one", "poison two"], 1, Ct);
        await Eventually.UntilAsync(async () => await Topology.QueryAsync(consumer, db => db.Set<DeadLetters.DeadLetter>().CountAsync(Ct)) == 2,
            TimeSpan.FromSeconds(30), "both poison events should be dead-lettered", Ct);

        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        var letters = await http.GetFromJsonAsync<JsonElement[]>("/api/ops/dead-letters", Ct);
        Assert.NotNull(letters);
        Assert.Equal(2, letters.Length);
        Assert.All(letters, l => Assert.Contains("cannot digest 'poison", l.GetProperty("reason").GetString()));
        var first = letters[0].GetProperty("id").GetGuid();
        var second = letters[1].GetProperty("id").GetGuid();

        var retry = await http.PostAsync($"/api/ops/dead-letters/{first}/retry", null, Ct);
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        Assert.Equal("failed again: a new dead letter records why", (await retry.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("outcome").GetString());

        Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync($"/api/ops/dead-letters/{second}", Ct)).StatusCode);
        var again = await http.DeleteAsync($"/api/ops/dead-letters/{second}", Ct);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        Assert.Equal("application/problem+json", again.Content.Headers.ContentType?.MediaType);
        Assert.Contains(second.ToString(), (await again.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("detail").GetString());

        // The retried one failed again and stands as a fresh dead letter; the discarded one is gone.
        var left = await http.GetFromJsonAsync<JsonElement[]>("/api/ops/dead-letters", Ct);
        var only = Assert.Single(left!);
        Assert.Contains("poison one", only.GetProperty("body").GetString());
    }
}
