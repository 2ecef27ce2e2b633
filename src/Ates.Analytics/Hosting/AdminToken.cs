using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace Ates.Analytics.Hosting;

/// <summary>
/// The admin's own access token, which the other services' ops endpoints check: the bearer token of an API call,
/// the one the page session saved otherwise.
/// </summary>
public static class AdminToken
{
    public static async Task<string?> OfAsync(HttpContext http)
    {
        var header = http.Request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return header["Bearer ".Length..].Trim();
        return await http.GetTokenAsync(CookieAuthenticationDefaults.AuthenticationScheme, "access_token");
    }
}
