using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Ates.Host;
using Ates.Testing;
using Microsoft.Playwright;

[assembly: AssemblyFixture(typeof(Ates.EndToEnd.Tests.SystemFixture))]

namespace Ates.EndToEnd.Tests;

/// <summary>
/// The one-process system as `dotnet run --project src/Ates.Host` starts it (own data folder, a free port, the demo
/// company with one known password), and Debian's Chromium driven by Playwright. Screenshots go to
/// artifacts/screenshots at the repository root.
/// </summary>
public sealed class SystemFixture : IAsyncLifetime
{
    public const string Password = "popug-test-beak";
    readonly string _data = Directory.CreateTempSubdirectory("ates-e2e-").FullName;
    AtesSystem _system = null!;
    IPlaywright _playwright = null!;

    /// <summary>The system's data folder (SQLite files, the emails' pickup folder "mail").</summary>
    public string Data => _data;

    public string Url { get; } = $"http://localhost:{FreePort.Next()}";
    public IBrowser Browser { get; private set; } = null!;
    public string Screenshots { get; } = Path.Combine(RepositoryRoot(), "artifacts", "screenshots");

    public async ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(Screenshots);
        _system = await AtesSystem.StartAsync([], new Dictionary<string, string?>
        {
            ["Host:Url"] = Url,
            ["Host:Data"] = _data,
            ["Auth:Keys"] = "ephemeral",
            ["Auth:Demo:Password"] = Password,
            ["Logging:LogLevel:Default"] = "Warning",
        });
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath(),
            Headless = true,
            // As root and on a closed network: no sandbox, no background calls home.
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync"],
        });
    }

    public async ValueTask DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright.Dispose();
        await _system.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_data, recursive: true); } catch (IOException) { }
    }

    /// <summary>A fresh browser session (own cookies) signed in as <paramref name="email"/> through Auth's page.</summary>
    public async Task<IPage> SignInAsync(string email, string startAt = "/tasks/", string? url = null)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = url ?? Url, ViewportSize = new() { Width = 1280, Height = 860 } });
        var page = await context.NewPageAsync();
        await page.GotoAsync(startAt);
        await page.WaitForURLAsync("**/auth/signin**");
        await page.FillAsync("#email", email);
        await page.FillAsync("#password", Password);
        await page.ClickAsync("button[type=submit]");
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == startAt.Split('?')[0]);
        return page;
    }

    public Task ScreenshotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, $"{name}.png"), FullPage = true });

    /// <summary>An API client with a token from Auth's password grant, for arranging and checking what the pages did.</summary>
    public async Task<HttpClient> ApiAsync(string email, string? url = null)
    {
        var client = new HttpClient { BaseAddress = new Uri(url ?? Url) };
        using var auth = new HttpClient { BaseAddress = new Uri($"{url ?? Url}/auth/") };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await PasswordGrant.TokenAsync(auth, email, Password));
        return client;
    }

    /// <summary>The email of each user id, from Auth's users API.</summary>
    public async Task<Dictionary<Guid, string>> EmailsAsync(string? url = null)
    {
        using var admin = await ApiAsync("admin@popug.inc", url);
        var users = await admin.GetFromJsonAsync<JsonElement>("/auth/api/users");
        return users.EnumerateArray().ToDictionary(u => u.GetProperty("id").GetGuid(), u => u.GetProperty("email").GetString()!);
    }

    static string ChromiumPath() =>
        File.Exists("/usr/bin/chromium") ? "/usr/bin/chromium"
        : throw new InvalidOperationException("Debian's Chromium is missing: apt-get install -y chromium (scripts/test.sh installs it).");

    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Ates.slnx"))) return dir.FullName;
        throw new InvalidOperationException("Ates.slnx not found above the test binaries.");
    }
}
