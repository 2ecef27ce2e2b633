using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration.Memory;

namespace Ates.Host;

/// <summary>How the host configures each service for the one-process mode.</summary>
static class ServiceBuilders
{
    /// <summary>
    /// A builder reading the host's appsettings, environment and command line. <paramref name="defaults"/> come first
    /// (anything the user configures wins over them); <paramref name="overrides"/> last (tests).
    /// </summary>
    public static WebApplicationBuilder Create(string[] args, IDictionary<string, string?>? defaults = null, IDictionary<string, string?>? overrides = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        if (defaults is not null) builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = defaults });
        if (overrides is not null) builder.Configuration.AddInMemoryCollection(overrides);
        return builder;
    }

    /// <summary>Each service under its path on the gateway, each with its own SQLite file, Auth as the issuer at /auth/.</summary>
    public static Dictionary<string, string?> Defaults(string url, string data)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Auth:Database"] = $"sqlite:{Path.Combine(data, "auth.db")}",
            ["Auth:Transport"] = "embedded",
            ["Auth:PathBase"] = "/auth",
            ["Auth:Demo:Seed"] = "true",
            // The one-process mode is a local demo on plain http://localhost.
            ["Auth:RequireHttps"] = url.StartsWith("https://", StringComparison.Ordinal) ? "true" : "false",
            // Scripts and the benchmark sign in with the password grant of ates-cli; the demo switches it on in every
            // environment (Auth keeps it to Development otherwise).
            ["Auth:PasswordGrant"] = "true",
            // One process: the host records the traces of every service in it, once.
            ["Telemetry:PerService"] = "false",
        };
        // Emails are written as .eml files into a pickup folder unless SMTP is configured (Accounting:Mail:Host).
        settings["Accounting:Mail:PickupFolder"] = Path.Combine(data, "mail");
        // Analytics' rebuild replays the producers' logs through the gateway.
        foreach (var producer in new[] { "auth", "tasks", "accounting" }) settings[$"Analytics:Producers:{producer}"] = $"{url}/{producer}";
        string[] pages = ["tasks", "accounting", "analytics"];
        for (var i = 0; i < pages.Length; i++)
        {
            var (client, section) = (pages[i], char.ToUpperInvariant(pages[i][0]) + pages[i][1..]);
            settings[$"Auth:Clients:{i}:ClientId"] = client;
            settings[$"Auth:Clients:{i}:DisplayName"] = $"aTES {section}";
            settings[$"Auth:Clients:{i}:RedirectUris:0"] = $"{url}/{client}/signin-oidc";
            settings[$"Auth:Clients:{i}:PostLogoutRedirectUris:0"] = $"{url}/{client}/signout-callback-oidc";
            settings[$"{section}:Database"] = $"sqlite:{Path.Combine(data, $"{client}.db")}";
            settings[$"{section}:Transport"] = "embedded";
            settings[$"{section}:PathBase"] = $"/{client}";
            settings[$"{section}:SignIn:Authority"] = $"{url}/auth/";
            settings[$"{section}:SignIn:ClientId"] = client;
            settings[$"{section}:SignIn:RequireHttpsMetadata"] = "false";
        }
        return settings;
    }

    /// <summary>The loopback address a started service listens on.</summary>
    public static string AddressOf(WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
}
