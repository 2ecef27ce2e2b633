using Ates.Messaging.DeadLetters;
using Ates.Messaging.Transports;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Ates.Accounting.TestHost;
using Ates.Auth.Data;
using Ates.Messaging.Envelope;
using Ates.Messaging.Outbox;
using Ates.LocalServers;
using Ates.Testing;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Ates.Accounting.Billing;

namespace Ates.Accounting.Tests;

/// <summary>
/// Every endpoint × every role, with real tokens from Auth (in memory) and the users Auth published fed to
/// Accounting's replica: workers see only their own account, admins and accountants everything, managers nothing.
/// </summary>
public sealed class AccessTests : IAsyncLifetime
{
    const string Password = "popug-test-beak";
    readonly string _folder = Directory.CreateTempSubdirectory("ates-accounting-access-").FullName;
    WebApplicationFactory<Ates.Auth.Hosting.AuthOptions> _auth = null!;
    AccountingApp _app = null!;
    readonly Dictionary<string, string?> _tokens = [];
    Guid _worker1, _worker2;
    string _deactivatedSession = "";
    EventScript _script = null!;
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _auth = new WebApplicationFactory<Ates.Auth.Hosting.AuthOptions>().WithWebHostBuilder(b =>
        {
            b.UseEnvironment("Development");
            b.UseSetting("Auth:Database", $"sqlite:{Path.Combine(_folder, "auth.db")}");
            b.UseSetting("Auth:Keys", "ephemeral");
            b.UseSetting("Auth:Demo:Seed", "true");
            b.UseSetting("Auth:Demo:Password", Password);
            // The pages' client (index 1 in appsettings.json) comes back to the test server.
            b.UseSetting("Auth:Clients:1:RedirectUris:0", "http://localhost/signin-oidc");
        });
        _ = _auth.Server;
        _app = new AccountingApp
        {
            // A browser's cookie jar judges cookie expiry (the sign-in's correlation cookie, the session) by the real clock.
            Time = new FakeTimeProvider(DateTimeOffset.UtcNow),
            ExtraServices = services =>
            {
                services.Configure<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme, o => o.BackchannelHttpHandler = _auth.Server.CreateHandler());
                services.Configure<OpenIdConnectOptions>(OpenIdConnectDefaults.AuthenticationScheme, o => o.BackchannelHttpHandler = _auth.Server.CreateHandler());
            },
        };
        await PumpUsersAsync();
        foreach (var (role, email) in new[] { ("worker", "worker1"), ("manager", "manager"), ("accountant", "accountant"), ("admin", "admin"), ("deactivated", "worker3") })
            _tokens[role] = await TokenAsync($"{email}@popug.inc");
        _tokens["none"] = null;
        // The admin's other tokens: an ID token (signed by Auth, but not an access token) and one issued for Tasks.
        using (var auth = _auth.CreateClient())
        {
            (_, _tokens["id-token"]) = await PasswordGrant.TokensAsync(auth, "admin@popug.inc", Password, "openid profile roles accounting", Ct);
            (_tokens["for-tasks"], _) = await PasswordGrant.TokensAsync(auth, "admin@popug.inc", Password, "openid profile roles tasks", Ct);
        }
        // worker3's page session, signed in before the deactivation below: its cookies, replayed on every request.
        var jar = new CookieContainer();
        using (var browser = _app.CreateDefaultClient(new Uri("http://localhost"), new CookieContainerHandler(jar)))
        using (var atAuth = _auth.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true }))
        {
            await CodeFlow.SignInAsync(browser, atAuth, "/", "worker3@popug.inc", Password, Ct);
            Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/", Ct)).StatusCode);
        }
        _deactivatedSession = jar.GetCookieHeader(new Uri("http://localhost/"));
        _worker1 = await UserIdAsync("worker1@popug.inc");
        _worker2 = await UserIdAsync("worker2@popug.inc");

        // Some money on the workers' accounts.
        var script = _script = new EventScript(_app.Time.GetUtcNow());
        var task = Guid.NewGuid();
        var events = new[] { script.Created(task, "Fix the beak", 10, 20), script.Assigned(task, _worker1), script.Assigned(task, _worker2, _worker1) };
        foreach (var (id, prices) in script.Prices) _app.Prices.Prices[id] = prices;
        await _app.DeliverAsync(events);

        // worker3 is deactivated; Accounting learns of it from user.updated.
        using var admin = _auth.CreateClient();
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _tokens["admin"]);
        var worker3 = await UserIdAsync("worker3@popug.inc");
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/users/{worker3}/deactivate", null, Ct)).StatusCode);
        await PumpUsersAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        await _auth.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }

    // Expected status for: worker (worker1), manager, accountant, admin, no token, deactivated (worker3's token), the
    // admin's ID token, the admin's token for Tasks, and worker3's page session that was live when they were deactivated.
    static readonly string[] Callers = ["worker", "manager", "accountant", "admin", "none", "deactivated", "id-token", "for-tasks", "deactivated-session"];

    static readonly (string Method, string Path, string Expected)[] Matrix =
    [
        ("GET", "/api/accounts/me", "200 403 200 200 401 401 401 401 401"),
        ("GET", "/api/accounts/{worker1}", "200 403 200 200 401 401 401 401 401"),
        ("GET", "/api/accounts/{worker2}", "403 403 200 200 401 401 401 401 401"),
        ("GET", "/api/accounts/{unknown}", "403 403 404 404 401 401 401 401 401"),
        ("GET", "/api/accounts", "403 403 200 200 401 401 401 401 401"),
        ("GET", "/api/earnings", "403 403 200 200 401 401 401 401 401"),
        ("GET", "/api/days/waiting", "403 403 200 200 401 401 401 401 401"),
        // The day named is not the open one: refused with a conflict, nothing closed.
        ("POST", "/api/days/close", "403 403 409 409 401 401 401 401 401"),
        ("GET", "/api/ops/dead-letters", "403 403 403 200 401 401 401 401 401"),
        // The API's description is public: a token Accounting does not take reads it as no token would; a deactivated
        // popug's token or session is refused outright.
        ("GET", "/openapi/v1.json", "200 200 200 200 200 401 200 200 401"),
        // Pages: a browser without a session is sent to sign in at Auth.
        ("GET", "/", "200 403 200 200 302 401 401 401 401"),
        ("GET", "/me", "200 403 200 200 302 401 401 401 401"),
        ("GET", "/accounts/{worker2}", "403 403 200 200 302 401 401 401 401"),
    ];

    [Fact]
    public async Task Every_role_gets_exactly_the_access_the_spec_gives()
    {
        var wrong = new List<string>();
        foreach (var (method, template, expected) in Matrix)
        {
            var actual = await StatusesAsync(method, template);
            if (actual != expected) wrong.Add($"{method} {template}: expected {expected}, got {actual}");
        }
        Assert.True(wrong.Count == 0, string.Join(' ', Callers) + ":\n" + string.Join('\n', wrong));
        Assert.False(await _app.DbAsync(db => db.Days.AnyAsync(d => d.IsClosed, Ct)), "a refused close changes nothing");
    }

    async Task<string> StatusesAsync(string method, string path)
    {
        path = path.Replace("{worker1}", _worker1.ToString()).Replace("{worker2}", _worker2.ToString()).Replace("{unknown}", Guid.NewGuid().ToString());
        var actual = new List<string>();
        foreach (var caller in Callers)
        {
            using var client = Api(caller == "deactivated-session" ? null : _tokens[caller]);
            using var request = new HttpRequestMessage(new HttpMethod(method), path);
            if (caller == "deactivated-session") request.Headers.Add("Cookie", _deactivatedSession);
            if (method == "POST") request.Content = JsonContent.Create(new { day = "2026-03-02" });
            request.Headers.Accept.ParseAdd("text/html");
            using var response = await client.SendAsync(request, Ct);
            actual.Add(((int)response.StatusCode).ToString());
            if (response.StatusCode == HttpStatusCode.Found)
                Assert.Contains("/connect/authorize", response.Headers.Location!.ToString());
            if ((int)response.StatusCode >= 400 && path.StartsWith("/api", StringComparison.Ordinal))
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
        return string.Join(' ', actual);
    }

    [Fact]
    public async Task A_worker_sees_their_own_balance_and_audit_log_with_the_task()
    {
        using var worker = Api(_tokens["worker"]);
        var me = await worker.GetFromJsonAsync<JsonElement>("/api/accounts/me", Ct);
        Assert.Equal(_worker1, me.GetProperty("account_id").GetGuid());
        Assert.Equal(-10m, me.GetProperty("balance").GetDecimal());
        Assert.Equal(-10m, me.GetProperty("earned_today").GetDecimal());
        var entry = me.GetProperty("log").EnumerateArray().Single();
        Assert.Equal(("assign_fee", -10m, "Fix the beak"), (entry.GetProperty("kind").GetString(), entry.GetProperty("amount").GetDecimal(), entry.GetProperty("title").GetString()));

        // The audit log a page at a time: past the end is empty, a page that is not a whole number from 1 up is refused.
        var beyond = await worker.GetFromJsonAsync<JsonElement>("/api/accounts/me?page=2", Ct);
        Assert.Equal((0, false), (beyond.GetProperty("log").GetArrayLength(), beyond.GetProperty("has_older").GetBoolean()));
        foreach (var bad in new[] { "0", "-1", "x", "1.5" })
        {
            using var refused = await worker.GetAsync($"/api/accounts/me?page={bad}", Ct);
            Assert.Equal((HttpStatusCode.BadRequest, "application/problem+json"), (refused.StatusCode, refused.Content.Headers.ContentType?.MediaType));
        }

        using var page = await worker.GetAsync("/", Ct);
        var html = await page.Content.ReadAsStringAsync(Ct);
        Assert.Contains("My account", html);
        Assert.Contains("-$10.00", html);
        Assert.Contains("Fix the beak", html);
        Assert.DoesNotContain("Close the day", html);
    }

    [Fact]
    public async Task Closing_the_day_by_hand_is_validated_confirmed_and_done_once()
    {
        using var accountant = Api(_tokens["accountant"]);
        foreach (var (body, status) in new[] { ("{}", 400), ("not json", 400), ("{\"day\": \"tomorrow\"}", 400), ("{\"day\": \"2026-03-04\"}", 409) })
        {
            using var refused = await accountant.PostAsync("/api/days/close", new StringContent(body, Encoding.UTF8, "application/json"), Ct);
            Assert.True((int)refused.StatusCode == status, $"{body}: {(int)refused.StatusCode} {await refused.Content.ReadAsStringAsync(Ct)}");
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        }
        Assert.False(await _app.DbAsync(db => db.Days.AnyAsync(d => d.IsClosed, Ct)));

        using var closed = await accountant.PostAsJsonAsync("/api/days/close", new { day = _app.Today }, Ct);
        var result = await closed.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal(HttpStatusCode.OK, closed.StatusCode);
        Assert.Equal(20m, result.GetProperty("management_earnings").GetDecimal()); // two fees of $10, no reward
        Assert.Equal(_app.Today.AddDays(1), DateOnly.Parse(result.GetProperty("open_day").GetString()!));
        using var again = await accountant.PostAsJsonAsync("/api/days/close", new { day = _app.Today }, Ct);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal(1, await _app.DbAsync(db => db.Days.CountAsync(d => d.IsClosed, Ct)));

        // The earnings list shows the closed day; the page's form closes the next one after the confirmation.
        var earnings = await accountant.GetFromJsonAsync<JsonElement>("/api/earnings", Ct);
        Assert.Equal(20m, earnings.GetProperty("days")[0].GetProperty("management_earnings").GetDecimal());
        using var browser = _app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        browser.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _tokens["admin"]);
        var dashboard = await browser.GetStringAsync("/", Ct);
        var token = Regex.Match(dashboard, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value;
        var day2 = _app.Today.AddDays(1).ToString("yyyy-MM-dd");
        Assert.Contains($"name=\"day\" value=\"{day2}\"", dashboard);
        using var unconfirmed = await browser.PostAsync("/days/close", new FormUrlEncodedContent(new Dictionary<string, string>
            { ["__RequestVerificationToken"] = token, ["day"] = day2 }), Ct);
        Assert.Contains("error=", unconfirmed.Headers.Location!.ToString());
        Assert.Equal(1, await _app.DbAsync(db => db.Days.CountAsync(d => d.IsClosed, Ct)));
        using var confirmed = await browser.PostAsync("/days/close", new FormUrlEncodedContent(new Dictionary<string, string>
            { ["__RequestVerificationToken"] = token, ["day"] = day2, ["confirm"] = "yes" }), Ct);
        Assert.Equal(HttpStatusCode.Redirect, confirmed.StatusCode);
        Assert.Contains("notice=", confirmed.Headers.Location!.ToString());
        Assert.Equal(2, await _app.DbAsync(db => db.Days.CountAsync(d => d.IsClosed, Ct)));
    }

    [Fact]
    public async Task A_day_waiting_for_a_dead_lettered_event_is_shown_and_closes_by_hand_only_with_a_reason_it_keeps()
    {
        // Tasks closed the day with four task events; the fourth reaches Accounting broken and is dead-lettered.
        var created = _script.Created(Guid.NewGuid(), "A broken beak", 10, 20);
        var broken = created with { Data = created.Data.Replace("\"title\"", "\"titel\"", StringComparison.Ordinal) };
        Assert.Equal(ConsumeOutcome.DeadLettered, await _app.ConsumeAsync(broken, attempt: 1));
        await _app.DeliverAsync(_script.CloseDay(_app.Today));
        var letter = await _app.DbAsync(db => db.Set<DeadLetter>().SingleAsync(Ct));
        Assert.False((await _app.DayAsync(_app.Today))!.IsClosed);

        // The accountant's API and dashboard, and the ops status the ops page shows, say that it waits and for what.
        using var accountant = Api(_tokens["accountant"]);
        var waiting = (await accountant.GetFromJsonAsync<JsonElement>("/api/days/waiting", Ct)).GetProperty("waiting");
        Assert.Equal((_app.Today.ToString("yyyy-MM-dd"), 3L, 4L), (waiting.GetProperty("day").GetString(), waiting.GetProperty("processed").GetInt64(), waiting.GetProperty("expected").GetInt64()));
        Assert.Equal(letter.Id, waiting.GetProperty("held_by").EnumerateArray().Single().GetProperty("id").GetGuid());
        using var admin = Api(_tokens["admin"]);
        var warning = (await admin.GetFromJsonAsync<JsonElement>("/api/ops/status", Ct)).GetProperty("warnings").EnumerateArray().Single();
        Assert.Contains($"Billing day {_app.Today:yyyy-MM-dd} waits: 3 of its 4 task events processed", warning.GetProperty("text").GetString());
        Assert.Equal(letter.Id, warning.GetProperty("dead_letters").EnumerateArray().Single().GetGuid());
        using var browser = _app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        browser.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _tokens["accountant"]);
        var dashboard = await browser.GetStringAsync("/", Ct);
        Assert.Contains("data-test=\"waiting-day\"", dashboard);
        Assert.Contains("3 of its 4 task events processed", dashboard);
        Assert.Contains(letter.Id.ToString(), dashboard);
        Assert.Contains("name=\"reason\"", dashboard);

        // Without a reason nothing closes; with one, the day closes and keeps it.
        using var refused = await accountant.PostAsJsonAsync("/api/days/close", new { day = _app.Today }, Ct);
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal((HttpStatusCode.BadRequest, "A reason is needed"), (refused.StatusCode, problem.GetProperty("title").GetString()));
        using var tooLong = await accountant.PostAsJsonAsync("/api/days/close", new { day = _app.Today, reason = new string('x', 501) }, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        Assert.False((await _app.DayAsync(_app.Today))!.IsClosed);
        using var closed = await accountant.PostAsJsonAsync("/api/days/close",
            new { day = _app.Today, reason = "Tasks' copy of the task is broken; paid without it (TICKET-7)" }, Ct);
        Assert.Equal(HttpStatusCode.OK, closed.StatusCode);
        var day = (await _app.DayAsync(_app.Today))!;
        Assert.Equal((true, "manual", "Tasks' copy of the task is broken; paid without it (TICKET-7)"), (day.IsClosed, day.ClosedBy, day.CloseReason));
        Assert.Contains("paid without it (TICKET-7)", await browser.GetStringAsync("/", Ct));
        Assert.Equal(JsonValueKind.Null, (await accountant.GetFromJsonAsync<JsonElement>("/api/days/waiting", Ct)).GetProperty("waiting").ValueKind);
    }

    [Fact]
    public async Task Pages_with_a_signed_in_session_show_each_role_its_own_and_refuse_the_rest()
    {
        using var manager = await SessionAsync("manager@popug.inc");
        using (var refused = await manager.GetAsync("/", Ct))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.Contains("Not for your role", await refused.Content.ReadAsStringAsync(Ct));
        }

        using var worker = await SessionAsync("worker1@popug.inc");
        var mine = await worker.GetStringAsync("/", Ct);
        Assert.Contains("My account", mine);
        Assert.Contains("Fix the beak", mine);
        Assert.Equal(HttpStatusCode.Forbidden, (await worker.GetAsync($"/accounts/{_worker2}", Ct)).StatusCode);

        // The accountant closes the day from the dashboard: a form with the session's antiforgery token and a confirmation.
        using var accountant = await SessionAsync("accountant@popug.inc");
        var dashboard = await accountant.GetStringAsync("/", Ct);
        Assert.Contains("Popugaev 1<", dashboard); // worker1, by the name the replica learnt from Auth
        var token = Regex.Match(dashboard, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value;
        using var closed = await accountant.PostAsync("/days/close", new FormUrlEncodedContent(new Dictionary<string, string>
            { ["__RequestVerificationToken"] = token, ["day"] = _app.Today.ToString("yyyy-MM-dd"), ["confirm"] = "yes" }), Ct);
        Assert.Equal(HttpStatusCode.Redirect, closed.StatusCode);
        var after = await accountant.GetStringAsync(closed.Headers.Location!.OriginalString, Ct);
        Assert.Contains($"Closed {_app.Today:yyyy-MM-dd}", after);
        Assert.True(await _app.DbAsync(db => db.Days.AnyAsync(d => d.Day == _app.Today && d.IsClosed, Ct)));
    }

    async Task<HttpClient> SessionAsync(string email)
    {
        var browser = _app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        browser.DefaultRequestHeaders.Accept.ParseAdd("text/html");
        using var atAuth = _auth.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        var steps = await CodeFlow.SignInAsync(browser, atAuth, "/", email, Password, Ct);
        Assert.Equal("/", steps.Landed.OriginalString);
        return browser;
    }

    HttpClient Api(string? token)
    {
        var client = _app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        if (token is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    async Task<string> TokenAsync(string email)
    {
        using var auth = _auth.CreateClient();
        return await PasswordGrant.TokenAsync(auth, email, Password, Ct);
    }

    async Task<Guid> UserIdAsync(string email)
    {
        await using var scope = _auth.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<AuthDb>().Users.Where(u => u.Email == email).Select(u => u.Id).SingleAsync(Ct);
    }

    /// <summary>Hands Auth's user events (its outbox, the event log) to Accounting's consumer, as a transport would.</summary>
    async Task PumpUsersAsync()
    {
        await using var scope = _auth.Services.CreateAsyncScope();
        var rows = await scope.ServiceProvider.GetRequiredService<AuthDb>().Set<OutboxMessage>().AsNoTracking().OrderBy(m => m.Sequence).ToListAsync(Ct);
        await _app.DeliverAsync(rows.Select(m => new EventEnvelope(m.EventId, EventEnvelope.SourceOf("auth"), m.Type, m.Version,
            new DateTimeOffset(m.OccurredAt, TimeSpan.Zero), m.DataSchema, m.Sequence, m.PartitionKey, m.TraceParent, m.Data)), batch: 20);
    }
}
