using System.Net.Http.Headers;
using System.Text.Json;
using Ates.Analytics.Data;
using Ates.Messaging;
using Ates.Messaging.DeadLetters;
using Ates.Messaging.Ops;
using Ates.Messaging.Transports;
using static Ates.Messaging.DeadLetters.DeadLetterEndpoints;

namespace Ates.Analytics.Ops;

/// <summary>One service's ops API as the console sees it: another service over HTTP (with the admin's token), or Analytics itself.</summary>
public interface IOpsService
{
    string Name { get; }
    Task<ServiceStatus> StatusAsync(CancellationToken ct);
    Task<IReadOnlyList<DeadLetterView>> DeadLettersAsync(CancellationToken ct);
    Task<Backlog> BacklogAsync(long after, IReadOnlyList<string> types, CancellationToken ct);
    /// <summary>The outcome in words ("handled", "already handled", "failed again…").</summary>
    Task<string> RetryAsync(Guid id, CancellationToken ct);
    Task DiscardAsync(Guid id, CancellationToken ct);
    Task<long> ReplayAsync(string consumer, long from, CancellationToken ct);
}

/// <summary>Why an ops call to a service did not succeed, in words for the page.</summary>
public sealed class OpsCallException(string message) : Exception(message);

/// <summary>Another service's /ops endpoints (Ates.Messaging's MapOps) at its base address.</summary>
public sealed class RemoteOpsService(string name, string address, HttpClient http, string? accessToken) : IOpsService
{
    // The services answer in snake_case, as their events do.
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public string Name => name;

    public Task<ServiceStatus> StatusAsync(CancellationToken ct) => SendAsync<ServiceStatus>(HttpMethod.Get, "api/ops/status", null, ct);

    public async Task<IReadOnlyList<DeadLetterView>> DeadLettersAsync(CancellationToken ct) =>
        await SendAsync<List<DeadLetterView>>(HttpMethod.Get, "api/ops/dead-letters", null, ct);

    public Task<Backlog> BacklogAsync(long after, IReadOnlyList<string> types, CancellationToken ct) =>
        SendAsync<Backlog>(HttpMethod.Get, $"api/ops/backlog?after={after}&types={Uri.EscapeDataString(string.Join(',', types))}", null, ct);

    public async Task<string> RetryAsync(Guid id, CancellationToken ct) =>
        (await SendAsync<RetryResult>(HttpMethod.Post, $"api/ops/dead-letters/{id}/retry", null, ct)).Outcome;

    public Task DiscardAsync(Guid id, CancellationToken ct) => SendAsync<object>(HttpMethod.Delete, $"api/ops/dead-letters/{id}", null, ct);

    public async Task<long> ReplayAsync(string consumer, long from, CancellationToken ct) =>
        (await SendAsync<EventLogEndpoints.ReplayResult>(HttpMethod.Post, "api/ops/replay", new { consumer, from }, ct)).Sent;

    async Task<T> SendAsync<T>(HttpMethod method, string path, object? body, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, new Uri($"{address.TrimEnd('/')}/{path}"));
        if (body is not null) request.Content = JsonContent.Create(body, options: Json);
        if (!string.IsNullOrEmpty(accessToken)) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, ct);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            throw new OpsCallException($"{name} did not answer at {address}: {e.Message}");
        }
        using (response)
        {
            if (!response.IsSuccessStatusCode)
                throw new OpsCallException($"{name} answered {(int)response.StatusCode} {response.ReasonPhrase}: {ProblemDetail(await response.Content.ReadAsStringAsync(ct))}");
            if (response.StatusCode == System.Net.HttpStatusCode.NoContent) return default!;
            return await response.Content.ReadFromJsonAsync<T>(Json, ct) ?? throw new OpsCallException($"{name} answered an empty body to {path}.");
        }
    }

    static string ProblemDetail(string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            return root.TryGetProperty("detail", out var d) ? d.GetString() ?? "" : root.TryGetProperty("title", out var t) ? t.GetString() ?? "" : body;
        }
        catch (JsonException)
        {
            return body.Length <= 200 ? body : body[..200] + "…";
        }
    }
}

/// <summary>Analytics' own messaging tables, read in process.</summary>
public sealed class LocalOpsService(IServiceProvider services) : IOpsService
{
    public string Name => Rebuild.Rebuilder.Consumer;

    public Task<ServiceStatus> StatusAsync(CancellationToken ct) => services.GetRequiredService<OpsStatusReader<AnalyticsDb>>().ReadAsync(ct);

    public async Task<IReadOnlyList<DeadLetterView>> DeadLettersAsync(CancellationToken ct) =>
        (await services.GetRequiredService<DeadLetterStore<AnalyticsDb>>().ListAsync(ct)).Select(View).ToList();

    public Task<Backlog> BacklogAsync(long after, IReadOnlyList<string> types, CancellationToken ct) =>
        services.GetRequiredService<OpsStatusReader<AnalyticsDb>>().BacklogAsync(after, types, ct);

    public async Task<string> RetryAsync(Guid id, CancellationToken ct) =>
        await services.GetRequiredService<DeadLetterStore<AnalyticsDb>>().RetryAsync(id, ct) is { } outcome
            ? Describe(outcome)
            : throw NoSuchLetter(id);

    public async Task DiscardAsync(Guid id, CancellationToken ct)
    {
        if (!await services.GetRequiredService<DeadLetterStore<AnalyticsDb>>().DiscardAsync(id, ct)) throw NoSuchLetter(id);
    }

    public async Task<long> ReplayAsync(string consumer, long from, CancellationToken ct)
    {
        try
        {
            return await services.GetRequiredService<EventLog<AnalyticsDb>>().ReplayAsync(consumer, from, null, ct);
        }
        catch (UnknownConsumerException e)
        {
            throw new OpsCallException(e.Message);
        }
    }

    static OpsCallException NoSuchLetter(Guid id) => new($"There is no dead letter {id}; it may have been retried or discarded.");
}
