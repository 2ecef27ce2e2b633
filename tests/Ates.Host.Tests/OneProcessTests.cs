using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Ates.LocalServers;

namespace Ates.Host.Tests;

/// <summary>
/// The one-process system as a newcomer runs it: every service behind the gateway on one origin, signing in through
/// Auth's page, its data kept in files that survive a restart.
/// </summary>
public sealed class OneProcessTests : IAsyncLifetime
{
    const string Password = "popug-test-beak";
    readonly string _data = Directory.CreateTempSubdirectory("ates-host-").FullName;
    readonly string _url = $"http://localhost:{FreePort.Next()}";
    AtesSystem _system = null!;
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    Task<AtesSystem> StartAsync() => AtesSystem.StartAsync([], new Dictionary<string, string?>
    {
        ["Host:Url"] = _url,
        ["Host:Data"] = _data,
        ["Auth:Keys"] = "ephemeral",
        ["Auth:Demo:Password"] = Password,
        ["Logging:LogLevel:Default"] = "Warning",
    });

    public async ValueTask InitializeAsync() => _system = await StartAsync();

    public async ValueTask DisposeAsync()
    {
        await _system.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_data, recursive: true); } catch (IOException) { }
    }

    HttpClient Client(bool redirects = true) => new(new HttpClientHandler { AllowAutoRedirect = redirects, CookieContainer = new CookieContainer() })
        { BaseAddress = new Uri(_url) };

    async Task<HttpClient> ApiAsync(string email)
    {
        var client = Client();
        using var auth = new HttpClient { BaseAddress = new Uri($"{_url}/auth/") };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await PasswordGrant.TokenAsync(auth, email, Password, Ct));
        return client;
    }

    /// <summary>Creates a task through the gateway once Tasks has learned the demo company from Auth's events.</summary>
    async Task<JsonElement> CreateTaskAsync(string title)
    {
        using var manager = await ApiAsync("manager@popug.inc");
        JsonElement created = default;
        var last = "";
        try
        {
            await Eventually.UntilAsync(async () =>
            {
                using var response = await manager.PostAsync("/tasks/api/tasks",
                    new StringContent(JsonSerializer.Serialize(new { title }), Encoding.UTF8, "application/json"), Ct);
                last = $"{(int)response.StatusCode} {response.Headers.WwwAuthenticate} {await response.Content.ReadAsStringAsync(Ct)}";
                if (response.StatusCode != HttpStatusCode.Created) return false;
                created = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
                return true;
            }, TimeSpan.FromSeconds(30), "Tasks should accept a task once it knows the workers", Ct);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}; last answer: {last}", e);
        }
        return created;
    }

    [Fact]
    public async Task The_start_page_and_every_service_answer_on_one_origin()
    {
        using var client = Client(redirects: false);
        var start = await client.GetStringAsync("/", Ct);
        Assert.Contains("Welcome to aTES", start);
        foreach (var link in new[] { "/tasks/", "/accounting/", "/analytics/", "/auth/admin/users" }) Assert.Contains($"href=\"{link}\"", start);

        using var bare = await client.GetAsync("/tasks", Ct);
        Assert.Equal(("/tasks/", HttpStatusCode.Redirect), (bare.Headers.Location?.OriginalString, bare.StatusCode));
        var discovery = await client.GetFromJsonAsync<JsonElement>("/auth/.well-known/openid-configuration", Ct);
        Assert.Equal($"{_url}/auth/connect/authorize", discovery.GetProperty("authorization_endpoint").GetString());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/tasks/health", Ct)).StatusCode);
    }

    [Fact]
    public async Task A_worker_signs_in_on_auths_page_sees_their_task_marks_it_done_and_it_survives_a_restart()
    {
        var task = await CreateTaskAsync("Fix the beak");
        var assigneeId = task.GetProperty("assignee_id").GetGuid();
        using (var admin = await ApiAsync("admin@popug.inc"))
        {
            var users = await admin.GetFromJsonAsync<JsonElement>("/auth/api/users", Ct);
            var email = users.EnumerateArray().Single(u => u.GetProperty("id").GetGuid() == assigneeId).GetProperty("email").GetString()!;

            // The page sends the browser through Auth's sign-in page (code + PKCE) and back, all on one origin.
            using var browser = Client();
            using var signInPage = await browser.GetAsync("/tasks/mine", Ct);
            var form = await signInPage.Content.ReadAsStringAsync(Ct);
            Assert.True(signInPage.RequestMessage!.RequestUri!.AbsolutePath == "/auth/signin",
                $"{signInPage.RequestMessage.RequestUri} {(int)signInPage.StatusCode}: {form}");
            Assert.Contains("action=\"/auth/signin\"", form);
            using var signedIn = await browser.PostAsync("/auth/signin", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["__RequestVerificationToken"] = Hidden(form, "__RequestVerificationToken"),
                ["returnUrl"] = Hidden(form, "returnUrl"),
                ["email"] = email,
                ["password"] = Password,
            }), Ct);
            var mine = await signedIn.Content.ReadAsStringAsync(Ct);
            Assert.Equal("/tasks/mine", signedIn.RequestMessage!.RequestUri!.AbsolutePath);
            Assert.Contains("Fix the beak", mine);

            var action = $"/tasks/{task.GetProperty("id").GetGuid()}/complete";
            var done = Regex.Match(mine, $"<form[^>]*action=\"{Regex.Escape(action)}\".*?</form>", RegexOptions.Singleline).Value;
            using var completed = await browser.PostAsync(action, new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["__RequestVerificationToken"] = Hidden(done, "__RequestVerificationToken"),
            }), Ct);
            Assert.Contains("Nothing assigned to you is open", WebUtility.HtmlDecode(await completed.Content.ReadAsStringAsync(Ct)));
        }

        // Stop and start again on the same files: the task is still done, the company not seeded twice.
        await _system.DisposeAsync();
        _system = await StartAsync();
        using var again = await ApiAsync("admin@popug.inc");
        var stored = await again.GetFromJsonAsync<JsonElement>($"/tasks/api/tasks/{task.GetProperty("id").GetGuid()}", Ct);
        Assert.Equal("done", stored.GetProperty("status").GetString());
        Assert.Equal(13, (await again.GetFromJsonAsync<JsonElement>("/auth/api/users", Ct)).GetArrayLength());
    }

    [Fact]
    public async Task With_auth_down_a_page_says_sign_in_is_unavailable_instead_of_failing()
    {
        await _system.Services.Single(s => s.Name == "auth").App.StopAsync(Ct);

        using var browser = Client(redirects: false);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/tasks/");
        request.Headers.Accept.ParseAdd("text/html");
        using var page = await browser.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, page.StatusCode);
        var html = WebUtility.HtmlDecode(await page.Content.ReadAsStringAsync(Ct));
        Assert.Contains("Sign-in is not available right now", html);
        Assert.Contains("Try again in a moment", html);

        // A client that does not ask for HTML gets the same as a problem.
        using var api = await browser.GetAsync("/accounting/", Ct);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, api.StatusCode);
        Assert.Equal("application/problem+json", api.Content.Headers.ContentType?.MediaType);
    }

    static string Hidden(string html, string name)
    {
        var match = Regex.Match(html, $"name=\"{Regex.Escape(name)}\"[^>]*value=\"([^\"]*)\"");
        Assert.True(match.Success, $"no hidden field {name}");
        return WebUtility.HtmlDecode(match.Groups[1].Value);
    }
}
