using Ates.Auth.Hosting;

namespace Ates.Auth.SignIn;

/// <summary>
/// Signing out at Auth ends the session in every service too. The services sit on Auth's origin
/// (behind the gateway, or on other ports of the same host, which share cookies), and each keeps its
/// page session in a cookie named <c>ates.&lt;client id&gt;</c> at path "/": Auth expires them all.
/// </summary>
public static class ServiceSessions
{
    /// <summary>ASP.NET splits a large cookie into chunks named &lt;name&gt;C1, C2…; a session cookie rarely needs more than a few.</summary>
    const int MaxChunks = 5;

    public static void EndAll(HttpContext http, AuthOptions options)
    {
        foreach (var client in options.Clients)
        {
            var name = CookieName(client.ClientId);
            http.Response.Cookies.Delete(name, new CookieOptions { Path = "/" });
            for (var chunk = 1; chunk <= MaxChunks; chunk++)
                http.Response.Cookies.Delete($"{name}C{chunk}", new CookieOptions { Path = "/" });
        }
    }

    /// <summary>The name Ates.ServiceDefaults gives a service's session cookie.</summary>
    public static string CookieName(string clientId) => $"ates.{clientId}";
}
