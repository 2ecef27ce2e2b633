using System.Net.Http.Json;
using System.Text.Json;

namespace Ates.LocalServers;

/// <summary>
/// An access token from Auth for a test or the benchmark, through its first-party password grant client <c>ates-cli</c>. The path is
/// relative to <c>auth</c>'s base address, so Auth may sit under a prefix (e.g. http://localhost:5000/auth/).
/// </summary>
public static class PasswordGrant
{
    /// <summary>Who the popug is, and a token for every aTES API (each service takes only tokens for itself).</summary>
    public const string Scope = "openid profile email roles auth tasks accounting analytics";

    public static async Task<string> TokenAsync(HttpClient auth, string email, string password, CancellationToken ct = default) =>
        (await TokensAsync(auth, email, password, Scope, ct).ConfigureAwait(false)).Access;

    /// <summary>The grant's answer: the access token for the APIs in <paramref name="scope"/>, and the ID token.</summary>
    public static async Task<(string Access, string Id)> TokensAsync(HttpClient auth, string email, string password, string scope, CancellationToken ct = default)
    {
        using var response = await auth.PostAsync("connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "password", ["client_id"] = "ates-cli", ["username"] = email, ["password"] = password,
            ["scope"] = scope,
        }), ct).ConfigureAwait(false);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(ct).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"Password grant for {email} refused ({(int)response.StatusCode}): {body}");
        return (body.GetProperty("access_token").GetString()!, body.GetProperty("id_token").GetString()!);
    }
}
