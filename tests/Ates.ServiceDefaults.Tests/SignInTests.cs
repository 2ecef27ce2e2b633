using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text.Json;
using Ates.Messaging;
using Ates.ServiceDefaults.SignIn;
using Ates.ServiceDefaults.Users;
using Ates.LocalServers;
using Ates.Testing;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Ates.ServiceDefaults.Tests;

/// <summary>
/// Auth (the real provider) and a second service wired with <see cref="SignInSetup.AddAtesSignIn"/>, the users
/// replica and the gate, exchanging user events through a real RabbitMQ: what every service relies on.
/// </summary>
public sealed class SignInTests : IAsyncLifetime
{
    const string Password = "popug-test-beak";
    readonly string _folder = Directory.CreateTempSubdirectory("ates-signin-").FullName;
    readonly string _namespace = $"s{Guid.NewGuid():N}"[..12];
    readonly int _port = FreePort.Next();
    RabbitMqServer _rabbit = null!;
    WebApplicationFactory<Ates.Auth.Hosting.AuthOptions> _auth = null!;
    WebApplication _service = null!;
    /// <summary>The service's clock (its page sessions).</summary>
    readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    /// <summary>The clock Auth issues tokens by: the real one, or set back to issue a token that has expired already.</summary>
    readonly ShiftedClock _issuerClock = new();

    sealed class ShiftedClock : TimeProvider
    {
        public TimeSpan Shift { get; set; }
        public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + Shift;
    }
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _rabbit = await RabbitMqServer.StartAsync(Ct);

        // The auth app runs in memory; the service reaches its metadata and keys through its handler.
        _auth = new WebApplicationFactory<Ates.Auth.Hosting.AuthOptions>().WithWebHostBuilder(b =>
        {
            b.UseEnvironment("Development");
            b.UseSetting("Auth:Database", $"sqlite:{Path.Combine(_folder, "auth.db")}");
            b.UseSetting("Auth:Keys", "ephemeral");
            b.UseSetting("Auth:Transport", $"rabbitmq:{_rabbit.AmqpUri}");
            b.UseSetting("Auth:RabbitNamespace", _namespace);
            b.UseSetting("Auth:Demo:Seed", "true");
            b.UseSetting("Auth:Demo:Password", Password);
            b.UseSetting("Auth:Clients:0:ClientId", "tasks");
            b.UseSetting("Auth:Clients:0:RedirectUris:0", $"http://127.0.0.1:{_port}/signin-oidc");
            b.UseSetting("Auth:Clients:0:PostLogoutRedirectUris:0", $"http://127.0.0.1:{_port}/signout-callback-oidc");
            b.ConfigureServices(s => s.Configure<OpenIddict.Server.OpenIddictServerOptions>(o => o.TimeProvider = _issuerClock));
        });

        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{_port}");
        builder.Services.AddDbContext<ServiceDb>((sp, o) => o.UseSqlite($"Data Source={Path.Combine(_folder, "service.db")}").AddOutboxSignal(sp));
        builder.Services.AddMessaging<ServiceDb>("tasks").KeepUserReplica().UseRabbitMq(r => (r.Uri, r.Namespace) = (_rabbit.AmqpUri, _namespace));
        builder.Services.AddSingleton<TimeProvider>(_clock);
        // Its pages call Accounting's API with the popug's token, as Analytics' ops page calls the others: the token is kept fresh.
        builder.Services.AddAtesSignIn(new SignInOptions { Authority = "http://localhost/", ClientId = "tasks", RequireHttpsMetadata = false, CallsApis = ["accounting"] });
        builder.Services.Configure<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme, o => o.BackchannelHttpHandler = _auth.Server.CreateHandler());
        builder.Services.Configure<OpenIdConnectOptions>(OpenIdConnectDefaults.AuthenticationScheme, o => o.BackchannelHttpHandler = _auth.Server.CreateHandler());
        builder.Services.AddAuthorization();
        builder.Services.AddAntiforgery();
        _service = builder.Build();
        _service.UseDeveloperExceptionPage(); // a failed sign-in shows its reason in the assertion
        _service.UseAuthentication();
        _service.UseDeactivatedUserGate<ServiceDb>();
        _service.UseAuthorization();
        _service.UseAntiforgery();
        _service.MapGet("/api/me", (ClaimsPrincipal user) => Results.Ok(new { sub = user.FindFirstValue("sub"), role = user.FindFirstValue("role"), name = user.Identity?.Name }))
            .RequireAuthorization();
        _service.MapGet("/api/admin-only", () => Results.Ok()).RequireAuthorization(p => p.RequireRole("admin"));
        _service.MapAtesSignOut();
        // A page's sign-out form: the antiforgery token it carries.
        _service.MapGet("/form-token", (HttpContext http, Microsoft.AspNetCore.Antiforgery.IAntiforgery antiforgery) =>
            Results.Text(antiforgery.GetAndStoreTokens(http).RequestToken)).RequireAuthorization();
        _service.MapGet("/page-token", async (HttpContext http) =>
            (await http.AuthenticateAsync(CookieAuthenticationDefaults.AuthenticationScheme)) is { Succeeded: true } session
                ? Results.Text(session.Properties.GetTokens().Single(t => t.Name == "access_token").Value)
                : Results.Challenge());
        _service.MapGet("/hello", (ClaimsPrincipal user) => Results.Text($"Hello, {user.Identity?.Name} ({user.FindFirstValue("role")})")).RequireAuthorization();
        await using (var scope = _service.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<ServiceDb>().Database.EnsureCreatedAsync(Ct);
        // The service first: its queue and bindings exist before Auth publishes the demo company.
        await _service.StartAsync(Ct);
        _ = _auth.Server;

        // The gate lets in only popugs the replica knows: wait until it holds the whole demo company.
        await using var authScope = _auth.Services.CreateAsyncScope();
        var company = await authScope.ServiceProvider.GetRequiredService<Ates.Auth.Data.AuthDb>().Users.CountAsync(Ct);
        await Eventually.UntilAsync(async () =>
        {
            await using var scope = _service.Services.CreateAsyncScope();
            return await scope.ServiceProvider.GetRequiredService<ServiceDb>().Set<KnownUser>().CountAsync(u => u.EntityVersion > 0, Ct) == company;
        }, TimeSpan.FromSeconds(30), "the service should learn of the demo company from user.created", Ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _service.StopAsync(CancellationToken.None);
        await _service.DisposeAsync();
        await _auth.DisposeAsync();
        await _rabbit.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    async Task<string> TokenAsync(string email)
    {
        using var auth = _auth.CreateClient();
        return await PasswordGrant.TokenAsync(auth, email, Password, Ct);
    }

    HttpClient Service(string? token)
    {
        var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_port}") };
        if (token is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    [Fact]
    public async Task A_token_from_auth_is_accepted_with_its_role_and_refused_once_its_owner_is_deactivated()
    {
        var worker = await TokenAsync("worker3@popug.inc");
        var admin = await TokenAsync("admin@popug.inc");

        using var anonymous = Service(null);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/me", Ct)).StatusCode);

        using var asWorker = Service(worker);
        var me = await asWorker.GetFromJsonAsync<JsonElement>("/api/me", Ct);
        Assert.Equal("worker", me.GetProperty("role").GetString());
        var workerId = Guid.Parse(me.GetProperty("sub").GetString()!);
        Assert.Equal(HttpStatusCode.Forbidden, (await asWorker.GetAsync("/api/admin-only", Ct)).StatusCode);
        using var asAdmin = Service(admin);
        Assert.Equal(HttpStatusCode.OK, (await asAdmin.GetAsync("/api/admin-only", Ct)).StatusCode);

        var adminApi = _auth.CreateClient();
        adminApi.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", admin);
        Assert.Equal(HttpStatusCode.OK, (await adminApi.PostAsync($"/api/users/{workerId}/deactivate", null, Ct)).StatusCode);

        // The token has not expired, but the service refuses it once user.updated reaches it.
        await Eventually.UntilAsync(async () => (await asWorker.GetAsync("/api/me", Ct)).StatusCode == HttpStatusCode.Unauthorized,
            TimeSpan.FromSeconds(30), "the deactivated worker's token should be refused by the second service", Ct);
        Assert.Equal(HttpStatusCode.OK, (await asAdmin.GetAsync("/api/me", Ct)).StatusCode);
    }

    async Task<(string Access, string Id)> TokensAsync(string email, string scope)
    {
        using var auth = _auth.CreateClient();
        return await PasswordGrant.TokensAsync(auth, email, Password, scope, Ct);
    }

    [Fact]
    public async Task Only_an_access_token_issued_for_this_service_opens_its_api()
    {
        var (forThis, idToken) = await TokensAsync("worker4@popug.inc", "openid profile roles tasks");
        var (forAnother, _) = await TokensAsync("worker4@popug.inc", "openid profile roles accounting");
        var (forNone, _) = await TokensAsync("worker4@popug.inc", "openid profile roles");

        using (var api = Service(forThis)) Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/api/me", Ct)).StatusCode);
        Assert.Equal("tasks", AudienceOf(forThis));
        // An ID token is signed by Auth too and names the popug, but it is not an access token (typ JWT, audience ates-cli).
        foreach (var refused in new[] { idToken, forAnother, forNone })
        {
            using var api = Service(refused);
            Assert.Equal(HttpStatusCode.Unauthorized, (await api.GetAsync("/api/me", Ct)).StatusCode);
        }
    }

    [Fact]
    public async Task An_expired_access_token_is_refused()
    {
        // Auth's access tokens last 30 minutes; the service allows a minute's skew between clocks, no more.
        _issuerClock.Shift = -(TimeSpan.FromMinutes(30) + TimeSpan.FromSeconds(50));
        using (var withinSkew = Service(await TokenAsync("worker5@popug.inc")))
            Assert.Equal(HttpStatusCode.OK, (await withinSkew.GetAsync("/api/me", Ct)).StatusCode);
        _issuerClock.Shift = -(TimeSpan.FromMinutes(31) + TimeSpan.FromSeconds(10));
        using var api = Service(await TokenAsync("worker5@popug.inc"));
        using var expired = await api.GetAsync("/api/me", Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, expired.StatusCode);
        Assert.Contains("expired", expired.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_popug_the_replica_does_not_know_yet_is_asked_to_come_back_rather_than_let_in_on_the_tokens_role()
    {
        var admin = await TokenAsync("admin@popug.inc");
        using var asAdmin = Service(admin);
        var adminId = Guid.Parse((await asAdmin.GetFromJsonAsync<JsonElement>("/api/me", Ct)).GetProperty("sub").GetString()!);

        // As if the admin's user.created were still on its way: first not there at all, then only a placeholder.
        foreach (var replica in new Func<ServiceDb, Task>[]
                 {
                     db => db.Set<KnownUser>().Where(u => u.Id == adminId).ExecuteDeleteAsync(Ct),
                     db => { db.Add(KnownUser.Placeholder(adminId)); return db.SaveChangesAsync(Ct); },
                 })
        {
            await using (var scope = _service.Services.CreateAsyncScope())
                await replica(scope.ServiceProvider.GetRequiredService<ServiceDb>());
            using var refused = await asAdmin.GetAsync("/api/admin-only", Ct);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.Equal("2", refused.Headers.GetValues("Retry-After").Single());
            var problem = await refused.Content.ReadFromJsonAsync<JsonElement>(Ct);
            Assert.Equal("Account not known here yet", problem.GetProperty("title").GetString());
        }
    }

    [Fact]
    public async Task A_deactivated_popugs_page_session_ends_at_their_next_page()
    {
        var (browser, _) = await SignInThroughThePageAsync();
        using var _ = browser;
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/hello", Ct)).StatusCode);
        var accountant = await KnownByEmailAsync("accountant@popug.inc");

        using var adminApi = _auth.CreateClient();
        adminApi.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await TokenAsync("admin@popug.inc"));
        Assert.Equal(HttpStatusCode.OK, (await adminApi.PostAsync($"/api/users/{accountant.Id}/deactivate", null, Ct)).StatusCode);

        await Eventually.UntilAsync(async () => (await KnownByEmailAsync("accountant@popug.inc")).IsActive == false,
            TimeSpan.FromSeconds(30), "the service should learn of the deactivation from user.updated", Ct);
        using (var refused = await browser.GetAsync("/hello", Ct))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.Contains(refused.Headers.GetValues("Set-Cookie"), c => c.StartsWith("ates.tasks=;", StringComparison.Ordinal));
        }
        // The session is over, not merely refused: the next page asks Auth, where the deactivated popug cannot sign in.
        using var next = await browser.GetAsync("/hello", Ct);
        Assert.Equal("/connect/authorize", next.Headers.Location?.AbsolutePath);
    }

    [Fact]
    public async Task A_page_session_ends_a_working_day_after_its_sign_in_however_active()
    {
        var (browser, _) = await SignInThroughThePageAsync();
        using var _ = browser;

        // Five hours on, the page is used: the sliding cookie is renewed.
        _clock.Advance(TimeSpan.FromHours(5));
        using (var renewed = await browser.GetAsync("/hello", Ct))
        {
            Assert.Equal(HttpStatusCode.OK, renewed.StatusCode);
            Assert.Contains(renewed.Headers.GetValues("Set-Cookie"), c => c.StartsWith("ates.tasks=", StringComparison.Ordinal) && !c.StartsWith("ates.tasks=;", StringComparison.Ordinal));
        }
        // Four hours later the renewed cookie is alive, but the sign-in is nine hours old: back to Auth.
        _clock.Advance(TimeSpan.FromHours(4));
        using var later = await browser.GetAsync("/hello", Ct);
        Assert.Equal("/connect/authorize", later.Headers.Location?.AbsolutePath);
    }

    async Task<KnownUser> KnownByEmailAsync(string email)
    {
        await using var scope = _service.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ServiceDb>().Set<KnownUser>().AsNoTracking().SingleAsync(u => u.Email == email, Ct);
    }

    static JsonElement ClaimsOf(string jwt)
    {
        var payload = jwt.Split('.')[1].Replace('-', '+').Replace('_', '/');
        payload = payload.PadRight(payload.Length + (4 - payload.Length % 4) % 4, '=');
        return JsonDocument.Parse(Convert.FromBase64String(payload)).RootElement;
    }

    static string? AudienceOf(string jwt)
    {
        var claims = ClaimsOf(jwt);
        return claims.TryGetProperty("aud", out var aud) ? aud.ValueKind == JsonValueKind.Array ? string.Join(" ", aud.EnumerateArray()) : aud.GetString() : null;
    }

    [Fact]
    public async Task A_page_sessions_access_token_is_refreshed_as_it_runs_out_and_the_session_ends_when_auth_refuses_the_refresh()
    {
        var (browser, _) = await SignInThroughThePageAsync();
        using var _ = browser;
        var first = await browser.GetStringAsync("/page-token", Ct);
        Assert.Equal("tasks accounting", AudienceOf(first));

        // Within its half hour the token stays; past it, the next page gets a new one from Auth by the refresh token.
        _clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(first, await browser.GetStringAsync("/page-token", Ct));
        _clock.Advance(TimeSpan.FromMinutes(21));
        var second = await browser.GetStringAsync("/page-token", Ct);
        Assert.NotEqual(first, second);
        Assert.Equal("tasks accounting", AudienceOf(second));
        Assert.True(ExpiryOf(second) >= ExpiryOf(first), "the new token should expire no earlier than the old one");

        // Deactivated in Auth, the popug's next refresh is refused: the session ends and the page goes back to Auth.
        var accountant = await KnownByEmailAsync("accountant@popug.inc");
        using var adminApi = _auth.CreateClient();
        adminApi.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await TokenAsync("admin@popug.inc"));
        Assert.Equal(HttpStatusCode.OK, (await adminApi.PostAsync($"/api/users/{accountant.Id}/deactivate", null, Ct)).StatusCode);
        _clock.Advance(TimeSpan.FromMinutes(31));
        using var refused = await browser.GetAsync("/page-token", Ct);
        Assert.Equal((HttpStatusCode.Redirect, "/connect/authorize"), (refused.StatusCode, refused.Headers.Location?.AbsolutePath));
    }

    static DateTimeOffset ExpiryOf(string jwt) => DateTimeOffset.FromUnixTimeSeconds(ClaimsOf(jwt).GetProperty("exp").GetInt64());

    [Fact]
    public async Task A_page_signs_in_through_auth_with_the_code_flow_and_pkce()
    {
        var (browser, _) = await SignInThroughThePageAsync();
        using (browser) Assert.Equal("Hello, Alice Accountant (accountant)", await browser.GetStringAsync("/hello", Ct));
    }

    [Fact]
    public async Task Signing_out_of_a_service_ends_its_session_auths_and_every_other_services()
    {
        var (browser, atAuth) = await SignInThroughThePageAsync();
        using var _ = browser;

        // Another site's form, without the page's token, signs nobody out.
        using (var forged = await browser.PostAsync("/signout", null, Ct))
            Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        using (var page = await browser.GetAsync("/hello", Ct))
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);

        var token = await browser.GetStringAsync("/form-token", Ct);
        using var signOut = await browser.PostAsync("/signout",
            new FormUrlEncodedContent([KeyValuePair.Create("__RequestVerificationToken", token)]), Ct);
        Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);
        var endSession = signOut.Headers.Location!;
        Assert.Equal("/connect/endsession", endSession.AbsolutePath);
        Assert.Contains("id_token_hint=", endSession.Query);

        // This service's own cookie is gone: the page asks for a sign-in again.
        using (var page = await browser.GetAsync("/hello", Ct))
            Assert.Equal("/connect/authorize", page.Headers.Location?.AbsolutePath);

        using var ended = await atAuth.GetAsync(endSession.PathAndQuery, Ct);
        Assert.Equal(HttpStatusCode.Redirect, ended.StatusCode);
        Assert.StartsWith($"http://127.0.0.1:{_port}/signout-callback-oidc", ended.Headers.Location!.OriginalString);
        // Every service's session cookie is expired by Auth, on the origin they share.
        var expired = ended.Headers.GetValues("Set-Cookie").Where(c => c.Contains("expires=Thu, 01 Jan 1970", StringComparison.OrdinalIgnoreCase)).ToList();
        foreach (var service in new[] { "tasks", "accounting", "analytics" })
            Assert.Contains(expired, c => c.StartsWith($"ates.{service}=;", StringComparison.Ordinal) && c.Contains("path=/", StringComparison.Ordinal));

        // Auth's own session is over too: authorizing again needs the sign-in form.
        using var again = await browser.GetAsync("/hello", Ct);
        using var reauthorize = await atAuth.GetAsync(again.Headers.Location!.PathAndQuery, Ct);
        Assert.Equal(HttpStatusCode.Redirect, reauthorize.StatusCode);
        Assert.Equal("/signin", new Uri(new Uri("http://localhost"), reauthorize.Headers.Location!).AbsolutePath);
    }

    /// <summary>
    /// Drives the browser's side of the code + PKCE flow from a page of the service to its cookie. Auth runs in
    /// memory, so its cookies live in the jar of the AtAuth client it returns rather than the browser's.
    /// </summary>
    async Task<(HttpClient Browser, HttpClient AtAuth)> SignInThroughThePageAsync()
    {
        var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() })
            { BaseAddress = new Uri($"http://127.0.0.1:{_port}") };
        var atAuth = _auth.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

        var steps = await CodeFlow.SignInAsync(browser, atAuth, "/hello", "accountant@popug.inc", Password, Ct);
        Assert.Equal("/connect/authorize", steps.Authorize.AbsolutePath);
        Assert.Contains("code_challenge_method=S256", steps.Authorize.Query);
        Assert.Contains("client_id=tasks", steps.Authorize.Query);
        Assert.StartsWith($"http://127.0.0.1:{_port}/signin-oidc?code=", steps.Callback.OriginalString);
        Assert.Equal("/hello", steps.Landed.OriginalString);
        return (browser, atAuth);
    }
}
