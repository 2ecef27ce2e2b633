using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Ates.LocalServers;

namespace Ates.EndToEnd.Tests;

/// <summary>
/// A real Prometheus (Debian's) scrapes every process of the distributed topology at its own /metrics, with the rules
/// of deploy/prometheus; the consumer lag, the positions and the ledger postings come back through Prometheus' API.
/// </summary>
public sealed class MetricsTests(DistributedSystem system)
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Prometheus_scrapes_every_service_and_computes_each_consumers_lag()
    {
        var targets = system.Deployment.ServiceAddresses.Values.Select(a => new Uri(a).Authority).ToList();
        var rules = Path.Combine(SystemUnderTest.RepositoryRoot(), "deploy", "prometheus", "ates.rules.yml");
        await using var prometheus = await PrometheusServer.StartAsync(targets, [rules], Ct);

        // A task: Tasks writes its events, Accounting posts its assign fee.
        using (var manager = await system.ApiAsync("manager@popug.inc"))
        using (var created = await manager.PostAsync("/tasks/api/tasks", JsonContent.Create(new { title = "Count the popugs' metrics" }), Ct))
            Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync(Ct));
        await system.SettledAsync(Ct);

        // Every process is scraped.
        await Eventually.UntilAsync(async () => (await prometheus.QueryAsync("up == 1", Ct)).Count == targets.Count,
            TimeSpan.FromSeconds(30), $"Prometheus should scrape all of {string.Join(", ", targets)}", Ct);

        // Accounting's lag behind Tasks: its position and Tasks' last sequence are both in, and it has caught up.
        double? lag = null;
        await Eventually.UntilAsync(async () =>
        {
            var series = await prometheus.QueryAsync("""ates:consumer_lag{ates_service="accounting", ates_producer="tasks"}""", Ct);
            lag = series.Count == 1 ? Value(series[0]) : null;
            return lag == 0;
        }, TimeSpan.FromSeconds(60), "Prometheus should hold Accounting's lag behind Tasks, and it should come to 0 once settled", Ct);
        Assert.True(Value(Assert.Single(await prometheus.QueryAsync("""max(ates_consumer_position{ates_service="accounting", ates_producer="tasks"})""", Ct))) > 0);
        Assert.True(Value(Assert.Single(await prometheus.QueryAsync("""max(ates_outbox_last_sequence{ates_service="tasks", ates_event_type="task.created"})""", Ct))) > 0);
        // Every consumer and producer pair the ops page shows has its lag series (each once both of its services were scraped).
        List<string> expected = ["accounting←auth", "accounting←tasks", "analytics←accounting", "analytics←auth", "analytics←tasks", "tasks←auth"], pairs = [];
        await Eventually.UntilAsync(async () =>
        {
            pairs = (await prometheus.QueryAsync("ates:consumer_lag", Ct))
                .Select(s => $"{s.GetProperty("metric").GetProperty("ates_service").GetString()}←{s.GetProperty("metric").GetProperty("ates_producer").GetString()}")
                .Order().ToList();
            return pairs.Count >= expected.Count;
        }, TimeSpan.FromSeconds(30), "Prometheus should hold a lag series for every consumer and producer pair", Ct);
        Assert.Equal(expected, pairs);

        // Ledger postings: each is one transaction.applied Accounting committed.
        await Eventually.UntilAsync(async () => (await prometheus.QueryAsync("""sum(ates_outbox_written_total{ates_service="accounting", ates_event_type="transaction.applied"}) > 0""", Ct)).Count == 1,
            TimeSpan.FromSeconds(30), "Accounting's postings should be counted", Ct);

        // Every figure docs/operations.md names is there (the day close's histogram once a day has closed).
        string[] names = ["ates_outbox_depth", "ates_outbox_oldest_age_seconds", "ates_outbox_last_sequence", "ates_consumer_position",
            "ates_dead_letters", "ates_outbox_written_total", "ates_relay_published_total", "ates_consumer_events_total", "ates_day_waiting",
            "ates_day_waiting_for_seconds", "http_server_request_duration_seconds_count"];
        foreach (var name in names)
            await Eventually.UntilAsync(async () => (await prometheus.QueryAsync($"count({name})", Ct)).Count == 1,
                TimeSpan.FromSeconds(30), $"Prometheus should hold {name}", Ct);

        // The alerts load and evaluate without an error.
        var groups = await prometheus.RulesAsync(Ct);
        var alerts = groups.GetProperty("groups").EnumerateArray().SelectMany(g => g.GetProperty("rules").EnumerateArray())
            .Where(r => r.GetProperty("type").GetString() == "alerting").ToList();
        Assert.Equal(["AtesBillingDayWaiting", "AtesConsumerLagGrowing", "AtesDeadLetter", "AtesOutboxStuck"], alerts.Select(a => a.GetProperty("name").GetString()).Order().ToList());
        Assert.All(alerts, a => Assert.Equal("ok", a.GetProperty("health").GetString()));

        // The figures are for the operator's Prometheus: the gateway does not hand them out.
        using var anonymous = new HttpClient();
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync($"{system.Url}/tasks/metrics", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync($"{system.Deployment.ServiceAddresses["tasks"]}/metrics", Ct)).StatusCode);
    }

    static double Value(JsonElement series) => double.Parse(series.GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture);
}
