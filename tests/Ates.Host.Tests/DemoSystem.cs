using System.Net.Http.Headers;
using Ates.LocalServers;

namespace Ates.Host.Tests;

/// <summary>The one-process system with its demo company, started for a test, and an API client signed in as one of its popugs.</summary>
public static class DemoSystem
{
    public const string Password = "popug-test-beak";

    /// <summary>Starts it on its own port with its files in <paramref name="data"/>; the test closes days itself. <paramref name="settings"/> come on top.</summary>
    public static Task<AtesSystem> StartAsync(string data, IDictionary<string, string?>? settings = null)
    {
        var all = new Dictionary<string, string?>
        {
            ["Host:Url"] = $"http://localhost:{FreePort.Next()}",
            ["Host:Data"] = data,
            ["Auth:Keys"] = "ephemeral",
            ["Auth:Demo:Password"] = Password,
            ["Tasks:DayClose:Schedule"] = "",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) all[key] = value;
        return AtesSystem.StartAsync([], all);
    }

    /// <summary>An HTTP client on the gateway with a bearer token of the demo popug <paramref name="email"/>.</summary>
    public static async Task<HttpClient> ApiAsync(AtesSystem system, string email, CancellationToken ct)
    {
        using var auth = new HttpClient { BaseAddress = new Uri($"{system.Url}/auth/") };
        var client = new HttpClient { BaseAddress = new Uri($"{system.Url}/") };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await PasswordGrant.TokenAsync(auth, email, Password, ct));
        return client;
    }
}
