using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Ates.ServiceDefaults.Telemetry;
using Ates.LocalServers;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace Ates.Host.Tests;

/// <summary>
/// One trace follows a task's completion from the HTTP request through Tasks' outbox and the bus to Accounting's
/// reward and Analytics' fact; the consumers' batches are linked to it. Recorded with OpenTelemetry's in-memory exporter
/// and the instrumentation the services use.
/// </summary>
public sealed class TraceTests : IAsyncLifetime
{
    readonly string _data = Directory.CreateTempSubdirectory("ates-trace-").FullName;
    readonly List<Activity> _spans = [];
    TracerProvider _tracing = null!;
    AtesSystem _system = null!;
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _tracing = Sdk.CreateTracerProviderBuilder().AddAtesInstrumentation().AddInMemoryExporter(_spans).Build()!;
        _system = await DemoSystem.StartAsync(_data);
    }

    public async ValueTask DisposeAsync()
    {
        await _system.DisposeAsync();
        _tracing.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_data, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public async Task A_completion_is_one_trace_from_the_request_to_the_reward_and_the_report()
    {
        using var manager = await ApiAsync("manager@popug.inc");
        JsonElement task = default;
        await Eventually.UntilAsync(async () =>
        {
            using var response = await manager.PostAsync("tasks/api/tasks", new StringContent("""{"title":"Trace the beak"}""", Encoding.UTF8, "application/json"), Ct);
            if (!response.IsSuccessStatusCode) return false;
            task = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
            return true;
        }, TimeSpan.FromSeconds(30), "Tasks should accept a task once it knows the workers", Ct);
        var id = task.GetProperty("id").GetGuid();
        using var admin = await ApiAsync("admin@popug.inc");
        var users = await admin.GetFromJsonAsync<JsonElement>("auth/api/users", Ct);
        var email = users.EnumerateArray().Single(u => u.GetProperty("id").GetGuid() == task.GetProperty("assignee_id").GetGuid()).GetProperty("email").GetString()!;
        using (var worker = await ApiAsync(email))
            (await worker.PostAsync($"tasks/api/tasks/{id}/complete", null, Ct)).EnsureSuccessStatusCode();

        // The completion's trace is that of the request's server span in Tasks (after the gateway's, in the same trace).
        ActivityTraceId trace = default;
        await Eventually.UntilAsync(() =>
        {
            _tracing.ForceFlush();
            var spans = Spans();
            var request = spans.FirstOrDefault(s => s.Kind == ActivityKind.Server && s.GetTagItem("url.path") is string path && path.EndsWith($"{id}/complete", StringComparison.Ordinal));
            if (request is null) return Task.FromResult(false);
            trace = request.TraceId;
            return Task.FromResult(spans.Any(s => s.TraceId == trace && s.DisplayName == "handle transaction.applied" && Group(s) == "analytics"));
        }, TimeSpan.FromSeconds(30), "the completion's trace should reach Analytics' fact", Ct);

        var inTrace = Spans().Where(s => s.TraceId == trace).ToList();
        var names = string.Join(", ", inTrace.Select(s => s.DisplayName));
        // The gateway's request and Tasks' are one trace: the gateway's forward carries it on.
        Assert.True(inTrace.Count(s => s.Kind == ActivityKind.Server && s.GetTagItem("url.path") is string p && p.EndsWith($"{id}/complete", StringComparison.Ordinal)) == 2,
            $"the trace holds: {names}");
        Assert.True(inTrace.Count(s => s.DisplayName == "outbox task.completed") == 1, $"the trace holds: {names}");
        var write = inTrace.Single(s => s.DisplayName == "outbox task.completed");
        Assert.Equal(ActivityKind.Producer, write.Kind);
        var handled = Assert.Single(inTrace, s => s.DisplayName == "handle task.completed" && Group(s) == "accounting");
        Assert.Equal(write.SpanId, handled.ParentSpanId);
        var reward = Assert.Single(inTrace, s => s.DisplayName == "post reward");
        Assert.Equal(handled.SpanId, reward.ParentSpanId);
        var applied = Assert.Single(inTrace, s => s.DisplayName == "outbox transaction.applied" && s.ParentSpanId == reward.SpanId);
        var fact = Assert.Single(inTrace, s => s.DisplayName == "handle transaction.applied" && Group(s) == "analytics");
        Assert.Equal(applied.SpanId, fact.ParentSpanId);
        // The database commands of the request and of the handlers are in it too.
        Assert.Contains(inTrace, s => s.Kind == ActivityKind.Client && (s.GetTagItem("db.system") ?? s.GetTagItem("db.system.name")) is not null);

        // The batch Accounting committed the reward in is a span of its own, linked to the completion's trace.
        Assert.Contains(Spans(), s => s.DisplayName == "consume accounting" && s.Links.Any(l => l.Context.TraceId == trace));
    }

    List<Activity> Spans()
    {
        lock (_spans) return [.. _spans];
    }

    static string? Group(Activity span) => span.GetTagItem("messaging.consumer.group.name") as string;

    Task<HttpClient> ApiAsync(string email) => DemoSystem.ApiAsync(_system, email, Ct);
}
