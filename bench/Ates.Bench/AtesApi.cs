using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Ates.LocalServers;

namespace Ates.Bench;

/// <summary>A user of aTES as the benchmark plays them: each signs in with their own password grant token.</summary>
public sealed class Popug(string email, Guid id = default)
{
    public string Email { get; } = email;
    public Guid Id { get; set; } = id;
    internal string? Token { get; set; }
}

/// <summary>The public APIs behind the gateway, called as a given popug; an expired token is renewed once.</summary>
public sealed class AtesApi(string url, string password) : IDisposable
{
    readonly HttpClient _http = new(new SocketsHttpHandler { MaxConnectionsPerServer = 512 }) { BaseAddress = new Uri(url + "/"), Timeout = TimeSpan.FromMinutes(10) };
    readonly HttpClient _auth = new() { BaseAddress = new Uri(url + "/auth/"), Timeout = TimeSpan.FromMinutes(2) };

    /// <summary>Every popug's password: the demo company's and the ones the benchmark creates.</summary>
    public string Password => password;

    public async Task SignInAsync(Popug popug, CancellationToken ct) => popug.Token = await PasswordGrant.TokenAsync(_auth, popug.Email, password, ct);

    public Task<JsonElement> GetAsync(Popug popug, string path, CancellationToken ct) => SendAsync(popug, HttpMethod.Get, path, null, ct);

    public Task<JsonElement> PostAsync(Popug popug, string path, object? body, CancellationToken ct) => SendAsync(popug, HttpMethod.Post, path, body, ct);

    async Task<JsonElement> SendAsync(Popug popug, HttpMethod method, string path, object? body, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            if (popug.Token is null) await SignInAsync(popug, ct);
            using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", popug.Token);
            using var response = await _http.SendAsync(request, ct);
            // A long day outlives an access token (30 minutes): sign in again, once.
            if (response.StatusCode == HttpStatusCode.Unauthorized && attempt == 0)
            {
                popug.Token = null;
                continue;
            }
            var text = await response.Content.ReadAsStringAsync(ct);
            if (!response.IsSuccessStatusCode)
                throw new HttpRequestException($"{method} {path} as {popug.Email}: {(int)response.StatusCode} {text}", null, response.StatusCode);
            return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
        }
    }

    public void Dispose()
    {
        _http.Dispose();
        _auth.Dispose();
    }
}
