using System.Net.Http.Headers;
using System.Text.Json;
using Ates.Messaging;
using Ates.Messaging.Ops;
using static Ates.Messaging.DeadLetters.DeadLetterEndpoints;

namespace Ates.Analytics.Ops;

/// <summary>Another service's ops API (Ates.Messaging's MapOps, at <see cref="OpsRoutes"/>) at its base address.</summary>
public sealed class RemoteOpsService(string name, string address, HttpClient http, string? accessToken) : IOpsService
{
    // The services answer in snake_case, as their events do.
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public string Name => name;

    public Task<ServiceStatus> StatusAsync(CancellationToken ct) => SendAsync<ServiceStatus>(HttpMethod.Get, OpsRoutes.Status, null, ct);

    public async Task<IReadOnlyList<DeadLetterView>> DeadLettersAsync(CancellationToken ct) =>
        await SendAsync<List<DeadLetterView>>(HttpMethod.Get, OpsRoutes.DeadLetters, null, ct);

    public Task<Backlog> BacklogAsync(long after, IReadOnlyList<string> types, CancellationToken ct) =>
        SendAsync<Backlog>(HttpMethod.Get, OpsRoutes.BacklogAfter(after, types), null, ct);

    public async Task<string> RetryAsync(Guid id, CancellationToken ct) =>
        (await SendAsync<RetryResult>(HttpMethod.Post, OpsRoutes.Retry(id), null, ct)).Outcome;

    public Task DiscardAsync(Guid id, CancellationToken ct) => SendAsync<object>(HttpMethod.Delete, OpsRoutes.DeadLetter(id), null, ct);

    public async Task<long> ReplayAsync(string consumer, long from, CancellationToken ct) =>
        (await SendAsync<EventLogEndpoints.ReplayResult>(HttpMethod.Post, OpsRoutes.Replay, new { consumer, from }, ct)).Sent;

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
