using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Ates.ServiceDefaults.SignIn;

/// <summary>
/// A page session outlives its access token (a working day against Auth's half hour); the pages that call other
/// services with it (Analytics' ops page and rebuild) need a live one. Shortly before it expires, the session's
/// refresh token gets a new one from Auth's token endpoint, and the cookie is renewed with it. Auth refuses the refresh
/// for a deactivated popug: then the session ends.
/// </summary>
public static class PageTokenRefresh
{
    /// <summary>How long before its expiry the access token is replaced.</summary>
    public static readonly TimeSpan Ahead = TimeSpan.FromMinutes(1);

    /// <summary>False when Auth refused the refresh (the session must end); true when nothing was due or it worked.</summary>
    public static async Task<bool> RefreshIfDueAsync(CookieValidatePrincipalContext context)
    {
        var now = context.Options.TimeProvider!.GetUtcNow();
        if (!DateTimeOffset.TryParse(context.Properties.GetTokenValue("expires_at"), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var expiresAt)
            || now < expiresAt - Ahead)
            return true;
        if (context.Properties.GetTokenValue("refresh_token") is not { Length: > 0 } refreshToken) return true;

        var oidc = context.HttpContext.RequestServices.GetRequiredService<IOptionsMonitor<OpenIdConnectOptions>>().Get(OpenIdConnectDefaults.AuthenticationScheme);
        var ct = context.HttpContext.RequestAborted;
        var configuration = await oidc.ConfigurationManager!.GetConfigurationAsync(ct);
        using var response = await oidc.Backchannel.PostAsync(configuration.TokenEndpoint, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token",
            ["refresh_token"] = refreshToken,
            ["client_id"] = oidc.ClientId!,
        }), ct);
        if (!response.IsSuccessStatusCode) return false;

        using var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
        var tokens = context.Properties.GetTokens().ToDictionary(t => t.Name, t => t.Value);
        foreach (var name in new[] { "access_token", "refresh_token", "id_token" })
            if (answer.RootElement.TryGetProperty(name, out var value) && value.GetString() is { } text) tokens[name] = text;
        if (answer.RootElement.TryGetProperty("expires_in", out var seconds) && seconds.TryGetInt32(out var lifetime))
            tokens["expires_at"] = (now + TimeSpan.FromSeconds(lifetime)).ToString("o", CultureInfo.InvariantCulture);
        context.Properties.StoreTokens(tokens.Select(t => new AuthenticationToken { Name = t.Key, Value = t.Value }));
        context.ShouldRenew = true;
        return true;
    }
}
