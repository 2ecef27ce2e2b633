using System.Text.Json;
using Ates.Analytics.Hosting;
using Ates.ServiceDefaults.Schema;
using Ates.ServiceDefaults.SignIn;

namespace Ates.Analytics.Rebuild;

/// <summary>
/// <c>dotnet run --project src/Ates.Analytics -- rebuild [--token &lt;access token&gt; | --email &lt;admin&gt; --password &lt;password&gt;]</c>:
/// builds Analytics' data again, aside, from each producer's log, printing the progress. The running Analytics
/// (or, in the one-process mode, the host) handles the replayed events; this process only asks and watches.
/// Without --token or --email the token is read from ATES_ACCESS_TOKEN.
/// </summary>
public static class RebuildCommand
{
    public static bool IsRequested(string[] args) => args is ["rebuild", ..];

    public static async Task<int> RunAsync(IServiceProvider services, string[] args, TextWriter output)
    {
        var options = services.GetRequiredService<AnalyticsOptions>();
        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
        string? token;
        try
        {
            token = await TokenAsync(Arg(args, "--token"), Arg(args, "--email"), Arg(args, "--password"), options, services, stop.Token);
        }
        catch (Exception e) when (e is HttpRequestException or InvalidOperationException)
        {
            await output.WriteLineAsync($"rebuild: no access token: {e.Message}");
            return 2;
        }
        if (options.Producers.Count == 0)
        {
            await output.WriteLineAsync("rebuild: no producers configured (Analytics:Producers:<name> = <base address>).");
            return 2;
        }

        await services.GetRequiredService<IServiceSchema>().PrepareAsync(stop.Token);

        await output.WriteLineAsync($"Rebuilding Analytics from {string.Join(", ", options.Producers.Select(p => $"{p.Key} ({p.Value})"))}…");
        var printed = new Dictionary<string, string>();
        var result = await services.GetRequiredService<Rebuilder>().RunAsync(token, progress =>
        {
            foreach (var p in progress.Producers)
            {
                var line = $"  {p.Name}: {p.State}{(p.Sent is { } sent ? $", {sent} replayed" : "")}{(p.State is "handling" or "done" ? $", {p.Handled} handled" : "")}{(p.Error is null ? "" : $" — {p.Error}")}";
                if (printed.GetValueOrDefault(p.Name) == line) continue;
                printed[p.Name] = line;
                output.WriteLine(line);
            }
        }, stop.Token);
        await output.WriteLineAsync(result.State == "done" ? "Rebuild done." : $"Rebuild failed: {result.Error}");
        return result.State == "done" ? 0 : 1;
    }

    static string? Arg(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    /// <summary>The given token, or one from Auth's password grant (the first-party client ates-cli), or ATES_ACCESS_TOKEN.</summary>
    static async Task<string?> TokenAsync(string? token, string? email, string? password, AnalyticsOptions options, IServiceProvider services, CancellationToken ct)
    {
        if (token is not null) return token;
        if (email is null) return Environment.GetEnvironmentVariable("ATES_ACCESS_TOKEN");
        if (password is null) throw new InvalidOperationException("--email needs --password.");
        using var client = services.GetRequiredService<IHttpClientFactory>().CreateClient();
        using var response = await client.PostAsync(new Uri($"{options.SignIn.Authority.TrimEnd('/')}/connect/token"), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "password", ["client_id"] = "ates-cli", ["username"] = email, ["password"] = password,
            ["scope"] = $"openid profile email roles {Audiences.AllAsScope}",
        }), ct);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
        if (!response.IsSuccessStatusCode || !body.TryGetProperty("access_token", out var accessToken))
            throw new InvalidOperationException($"Auth refused the sign-in of {email}: {body}");
        return accessToken.GetString();
    }
}
