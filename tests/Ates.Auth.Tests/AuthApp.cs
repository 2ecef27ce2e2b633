using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Ates.Auth.Data;
using Ates.Messaging.Outbox;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Ates.Auth.Tests;

/// <summary>
/// Auth as it runs in the embedded mode: its real HTTP pipeline, a real SQLite file of its own, the embedded
/// transport, ephemeral keys, and the demo company seeded with one known password.
/// </summary>
public sealed class AuthApp : WebApplicationFactory<Program>
{
    /// <summary>Settings changed for one test, e.g. ("Auth:PasswordGrant", "false"); null unsets one.</summary>
    public (string Key, string? Value)[] Settings { get; init; } = [];

    /// <summary>The hosting environment: the production profile applies outside Development.</summary>
    public string Environment { get; init; } = "Development";

    public const string Password = "popug-test-beak";
    public const string PagesClient = "test-pages";
    public const string Callback = "http://localhost/callback";

    readonly string _folder = Directory.CreateTempSubdirectory("ates-auth-tests-").FullName;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(Environment);
        builder.UseSetting("Auth:Database", $"sqlite:{Path.Combine(_folder, "auth.db")}");
        builder.UseSetting("Auth:Keys", "ephemeral");
        builder.UseSetting("Auth:Demo:Seed", "true");
        builder.UseSetting("Auth:Demo:Password", Password);
        // Index 3: appsettings.json already lists three clients (tasks, accounting, analytics).
        builder.UseSetting("Auth:Clients:3:ClientId", PagesClient);
        builder.UseSetting("Auth:Clients:3:RedirectUris:0", Callback);
        builder.UseSetting("Auth:Clients:3:PostLogoutRedirectUris:0", "http://localhost/signed-out");
        foreach (var (key, value) in Settings) builder.UseSetting(key, value);
    }

    public HttpClient Browser() => CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    /// <summary>A browser signed in through the sign-in page, with its cookies.</summary>
    public async Task<HttpClient> SignedInBrowserAsync(string email, string password = Password)
    {
        var browser = Browser();
        using var page = await browser.GetAsync("/signin", TestContext.Current.CancellationToken);
        var antiforgery = TokenTests.Hidden(await page.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), "__RequestVerificationToken");
        using var signedIn = await browser.PostAsync("/signin", TokenTests.Form(
            ("email", email), ("password", password), ("returnUrl", "/"), ("__RequestVerificationToken", antiforgery)), TestContext.Current.CancellationToken);
        Assert.Equal(System.Net.HttpStatusCode.Found, signedIn.StatusCode);
        return browser;
    }

    public async Task<string> TokenAsync(string email, string password = Password)
    {
        using var response = await PasswordGrantAsync(email, password);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, $"password grant for {email}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.GetProperty("access_token").GetString()!;
    }

    public Task<HttpResponseMessage> PasswordGrantAsync(string email, string password) =>
        CreateClient().PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "password",
            ["client_id"] = "ates-cli",
            ["username"] = email,
            ["password"] = password,
            ["scope"] = $"{Ates.LocalServers.PasswordGrant.Scope} offline_access",
        }), TestContext.Current.CancellationToken);

    public HttpClient Api(string? token)
    {
        var client = CreateClient();
        if (token is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public async Task<T> DbAsync<T>(Func<AuthDb, Task<T>> query)
    {
        await using var scope = Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<AuthDb>());
    }

    public Task<Guid> UserIdAsync(string email) =>
        DbAsync(db => db.Users.Where(u => u.Email == email).Select(u => u.Id).SingleAsync());

    /// <summary>How many users and outbox rows are stored: a refused request must change neither.</summary>
    public Task<(int Users, int Outbox)> CountsAsync() =>
        DbAsync(async db => (await db.Users.CountAsync(), await db.Set<OutboxMessage>().CountAsync()));

    public Task<long> LastSequenceAsync() =>
        DbAsync(db => db.Set<OutboxMessage>().MaxAsync(m => (long?)m.Sequence)).ContinueWith(t => t.Result ?? 0);

    public Task<List<OutboxMessage>> OutboxAfterAsync(long sequence) =>
        DbAsync(db => db.Set<OutboxMessage>().AsNoTracking().Where(m => m.Sequence > sequence).OrderBy(m => m.Sequence).ToListAsync());

    public static JsonElement Claims(string jwt)
    {
        var payload = jwt.Split('.')[1].Replace('-', '+').Replace('_', '/');
        payload = payload.PadRight(payload.Length + (4 - payload.Length % 4) % 4, '=');
        return JsonDocument.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(payload))).RootElement;
    }

    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    public static async Task<JsonElement> ReadJsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement;

    public static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, int status)
    {
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True((int)response.StatusCode == status, $"expected {status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.Equal(status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("title").GetString()));
        return problem;
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }
}
