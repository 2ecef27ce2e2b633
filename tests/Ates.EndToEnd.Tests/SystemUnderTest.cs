using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Ates.Messaging.Envelope;
using Ates.LocalServers;
using Microsoft.Playwright;

[assembly: AssemblyFixture(typeof(Ates.EndToEnd.Tests.EmbeddedSystem))]
[assembly: AssemblyFixture(typeof(Ates.EndToEnd.Tests.DistributedSystem))]

namespace Ates.EndToEnd.Tests;

/// <summary>
/// A running aTES behind its gateway — one process, or every service its own process — with the demo company under
/// one known password, and Debian's Chromium driven by Playwright. Every browser test runs on both.
/// Screenshots go to artifacts/screenshots at the repository root.
/// </summary>
public abstract class SystemUnderTest : IAsyncLifetime
{
    public const string Password = "popug-test-beak";
    IPlaywright _playwright = null!;

    public string Url { get; } = $"http://localhost:{FreePort.Next()}";
    public IBrowser Browser { get; private set; } = null!;
    public static string Screenshots { get; } = Path.Combine(RepositoryRoot(), "artifacts", "screenshots");

    /// <summary>"" for the one-process host, "distributed-" for the topology: the screenshots' name prefix.</summary>
    protected abstract string Name { get; }

    /// <summary>Where Accounting writes the payout emails.</summary>
    public abstract string MailFolder { get; }

    protected abstract Task StartAsync(CancellationToken ct);
    protected abstract ValueTask StopAsync();

    /// <summary>Delivers a task.created whose data breaks its schema to Accounting and Analytics, as a broken producer would.</summary>
    public abstract Task SendPoisonAsync(CancellationToken ct);

    public async ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(Screenshots);
        var ct = TestContext.Current.CancellationToken;
        await StartAsync(ct);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath(),
            Headless = true,
            // As root and on a closed network: no sandbox, no background calls home.
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync"],
        });
        // Tests start once every consumer has caught up with the demo company (Tasks must know the workers).
        await SettledAsync(ct);
    }

    public async ValueTask DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        _playwright?.Dispose();
        await StopAsync();
    }

    /// <summary>A fresh browser session (own cookies) signed in as <paramref name="email"/> through Auth's page.</summary>
    public async Task<IPage> SignInAsync(string email, string startAt = "/tasks/")
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = Url, ViewportSize = new() { Width = 1280, Height = 860 } });
        var page = await context.NewPageAsync();
        await page.GotoAsync(startAt);
        await page.WaitForURLAsync("**/auth/signin**");
        await page.FillAsync("#email", email);
        await page.FillAsync("#password", Password);
        await page.ClickAsync("button[type=submit]");
        try
        {
            // Arrived when the address is the page asked for and its top bar (every signed-in page has one) is there, not
            // at the load event: twice in CI the page stood there, loaded and network-idle, while Playwright's wait for
            // its load event ran out (at the end of the sign-in's redirects; the cause is not known).
            await Assertions.Expect(page).ToHaveURLAsync(new Regex($"^https?://[^/]+{Regex.Escape(startAt.Split('?')[0])}(\\?.*)?$"), new() { Timeout = 30_000 });
            await page.Locator("header.top nav").WaitForAsync();
        }
        catch (Exception e) when (e is TimeoutException or PlaywrightException)
        {
            // Say where the sign-in stopped and what that page said, so that a failure explains itself; a page that
            // cannot be read or pictured any more does not hide the timeout.
            var text = await page.Locator("body").InnerTextAsync(new() { Timeout = 5_000 }).ContinueWith(t => t.IsCompletedSuccessfully ? t.Result : "(no text)");
            await ScreenshotAsync(page, $"signin-stopped-{email}").ContinueWith(_ => { });
            throw new TimeoutException($"Signing in as {email} for {startAt} stopped at {page.Url}; the page said: {text.Trim()}", e);
        }
        return page;
    }

    public Task ScreenshotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, $"{Name}{name}.png"), FullPage = true });

    /// <summary>An API client with a token from Auth's password grant, for arranging and checking what the pages did.</summary>
    public async Task<HttpClient> ApiAsync(string email)
    {
        var client = new HttpClient { BaseAddress = new Uri(Url) };
        using var auth = new HttpClient { BaseAddress = new Uri($"{Url}/auth/") };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await PasswordGrant.TokenAsync(auth, email, Password));
        return client;
    }

    /// <summary>The email of each user id, from Auth's users API.</summary>
    public async Task<Dictionary<Guid, string>> EmailsAsync()
    {
        using var admin = await ApiAsync("admin@popug.inc");
        var users = await admin.GetFromJsonAsync<JsonElement>("/auth/api/users");
        return users.EnumerateArray().ToDictionary(u => u.GetProperty("id").GetGuid(), u => u.GetProperty("email").GetString()!);
    }

    /// <summary>Until the ops overview shows every service answering and no consumer behind.</summary>
    public async Task SettledAsync(CancellationToken ct)
    {
        using var admin = await ApiAsync("admin@popug.inc");
        JsonElement overview = default;
        await Eventually.UntilAsync(async () =>
        {
            overview = await admin.GetFromJsonAsync<JsonElement>("/analytics/api/ops", ct);
            var lags = overview.GetProperty("lags").EnumerateArray().ToList();
            return overview.GetProperty("services").EnumerateArray().All(s => s.GetProperty("error").ValueKind == JsonValueKind.Null)
                   && lags.Count > 0 && lags.All(l => l.GetProperty("behind").ValueKind == JsonValueKind.Number && l.GetProperty("behind").GetInt64() == 0);
        }, TimeSpan.FromSeconds(90), "every consumer should catch up", ct);
    }

    /// <summary>A task.created v2 whose data lacks what its schema requires: a consumer dead-letters it at once.</summary>
    protected static ReadOnlyMemory<byte> Poison() =>
        new EventEnvelope(Guid.NewGuid(), EventEnvelope.SourceOf("tasks"), "task.created", 2, DateTimeOffset.UtcNow,
            EventEnvelope.DataSchemaOf("schemas/tasks/task.created/2.json"), 1, "poison", null, """{"title":"A task from a broken producer"}""").Encode();

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
