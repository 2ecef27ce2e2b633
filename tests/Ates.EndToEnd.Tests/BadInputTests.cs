using System.Net.Http.Json;
using System.Text.Json;

namespace Ates.EndToEnd.Tests;

/// <summary>
/// The bad-input sweep (<see cref="BadInputSweep"/>) over every API operation of every service, through the gateway,
/// as each role: on SQLite (the one-process host) and on PostgreSQL (the distributed topology).
/// </summary>
public abstract class BadInputTests(SystemUnderTest system)
{
    static readonly string[] Services = ["auth", "tasks", "accounting", "analytics"];

    [Fact]
    public async Task No_bad_input_to_any_endpoint_gets_a_500_or_stores_anything()
    {
        var ct = TestContext.Current.CancellationToken;
        await system.SettledAsync(ct);
        var callers = new Dictionary<string, HttpClient>();
        foreach (var email in new[] { "admin@popug.inc", "manager@popug.inc", "accountant@popug.inc", "worker1@popug.inc" })
            callers[email.Split('@')[0]] = await system.ApiAsync(email);
        var admin = callers["admin"];

        // What the services hold, as far as a refused request could have changed it: each one's event log and dead letters.
        async Task<string> Stored()
        {
            var parts = new List<string>();
            foreach (var service in Services)
            {
                var status = await admin.GetFromJsonAsync<JsonElement>($"/{service}/api/ops/status", ct);
                parts.Add($"{service}:{status.GetProperty("log").GetProperty("last_sequence").GetInt64()}/{status.GetProperty("dead_letters").GetInt32()}");
            }
            return string.Join(' ', parts);
        }

        var sweep = new BadInputSweep(Stored);
        var operations = 0;
        foreach (var service in Services)
        {
            var document = await admin.GetFromJsonAsync<JsonElement>($"/{service}/openapi/v1.json", ct);
            operations += document.GetProperty("paths").EnumerateObject().Sum(p => p.Value.EnumerateObject().Count());
            foreach (var probe in BadInputSweep.ProbesOf(document, $"/{service}")) await sweep.RunAsync(probe, callers, ct);
        }
        // Auth's token endpoint and sign-in form, asked without a token as a client or another site would.
        using (var anonymous = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(system.Url) })
            foreach (var probe in BadInputSweep.AuthFormProbes()) await sweep.RunAsync(probe, new Dictionary<string, HttpClient> { ["anonymous"] = anonymous }, ct);
        foreach (var client in callers.Values) client.Dispose();

        Assert.True(operations > 30, $"only {operations} operations described");
        Assert.True(sweep.Failures.Count == 0, $"{sweep.Failures.Count} of {sweep.Sent} requests broke the rules:\n" + string.Join('\n', sweep.Failures.Take(60)));
    }
}

public sealed class EmbeddedBadInputTests(EmbeddedSystem system) : BadInputTests(system);

public sealed class DistributedBadInputTests(DistributedSystem system) : BadInputTests(system);
