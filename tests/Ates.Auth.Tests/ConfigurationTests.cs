using System.Net;
using Ates.Messaging.Outbox;
using Ates.LocalServers;
using Microsoft.EntityFrameworkCore;

namespace Ates.Auth.Tests;

/// <summary>Auth under other settings: the password grant switched off, and PostgreSQL instead of SQLite.</summary>
public sealed class ConfigurationTests
{
    [Fact]
    public async Task With_the_password_grant_off_it_is_refused_and_not_advertised()
    {
        await using var app = new AuthApp { Settings = [("Auth:PasswordGrant", "false")] };
        using var grant = await app.PasswordGrantAsync("admin@popug.inc", AuthApp.Password);
        Assert.Equal(HttpStatusCode.BadRequest, grant.StatusCode);
        Assert.Equal("unsupported_grant_type", (await AuthApp.ReadJsonAsync(grant)).GetProperty("error").GetString());

        using var discovery = await app.CreateClient().GetAsync("/.well-known/openid-configuration", TestContext.Current.CancellationToken);
        var grants = (await AuthApp.ReadJsonAsync(discovery)).GetProperty("grant_types_supported").EnumerateArray().Select(g => g.GetString()).ToList();
        Assert.Equal(["authorization_code", "refresh_token"], grants.Order().ToList());
    }

    /// <summary>Outside Development, a demo default does not reach production silently: Auth names the setting and stops.</summary>
    [Fact]
    public async Task Outside_development_auth_refuses_to_start_without_keys_and_names_the_setting()
    {
        await using var app = new AuthApp { Environment = "Production", Settings = [("Auth:Keys", null)] };
        var refusal = Assert.ThrowsAny<Exception>(() => app.Server);
        var insecure = Chain(refusal).OfType<Ates.ServiceDefaults.Hosting.InsecureSettingException>().FirstOrDefault();
        Assert.True(insecure is not null, refusal.ToString());
        Assert.StartsWith("Auth:Keys: it is not set", insecure.Message);
        Assert.Contains("'certificates'", insecure.Message);
    }

    [Fact]
    public async Task Outside_development_the_password_grant_is_off_unless_switched_on()
    {
        // Keys and plain HTTP switched on explicitly: the test server speaks HTTP.
        (string, string?)[] production = [("Auth:Keys", "ephemeral"), ("Auth:RequireHttps", "false")];
        await using (var app = new AuthApp { Environment = "Production", Settings = production })
        {
            using var grant = await app.PasswordGrantAsync("admin@popug.inc", AuthApp.Password);
            Assert.Equal("unsupported_grant_type", (await AuthApp.ReadJsonAsync(grant)).GetProperty("error").GetString());
        }
        await using (var app = new AuthApp { Environment = "Production", Settings = [.. production, ("Auth:PasswordGrant", "true")] })
            Assert.False(string.IsNullOrEmpty(await app.TokenAsync("admin@popug.inc")));
    }

    static IEnumerable<Exception> Chain(Exception? e)
    {
        for (; e is not null; e = e.InnerException) yield return e;
    }

    [Fact]
    public async Task On_postgresql_users_tokens_and_events_work_the_same()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var pg = await PostgresServer.StartAsync(ct);
        var connection = await pg.CreateUniqueDatabaseAsync("auth", ct);
        await using var app = new AuthApp { Settings = [("Auth:Database", $"postgres:{connection}"), ("Auth:MigrateOnStart", "true")] };

        var admin = await app.TokenAsync("admin@popug.inc");
        var api = app.Api(admin);
        var before = await app.LastSequenceAsync();
        using var created = await api.PostAsync("/api/users",
            AuthApp.Json("""{"name":"Pg Popug","email":"pg@popug.inc","role":"accountant","password":"long-enough-beak"}"""), ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        using var duplicate = await api.PostAsync("/api/users",
            AuthApp.Json("""{"name":"Pg Popug","email":"PG@popug.inc","role":"worker","password":"long-enough-beak"}"""), ct);
        await AuthApp.AssertProblemAsync(duplicate, 409);
        // PostgreSQL refuses U+0000 in text: that was a 409 "email taken"; now the name is refused for what it is.
        using var nul = await api.PostAsync("/api/users",
            AuthApp.Json("""{"name":"Pg\u0000Popug","email":"nul@popug.inc","role":"worker","password":"long-enough-beak"}"""), ct);
        var problem = await AuthApp.AssertProblemAsync(nul, 400);
        Assert.Contains("U+0000", problem.GetProperty("errors").GetProperty("name")[0].GetString());
        using var nulEmail = await api.PostAsync("/api/users",
            AuthApp.Json("""{"name":"Pg Popug","email":"nul\u0000@popug.inc","role":"worker","password":"long-enough-beak"}"""), ct);
        await AuthApp.AssertProblemAsync(nulEmail, 400);

        var row = Assert.Single(await app.OutboxAfterAsync(before));
        Assert.Equal("user.created", row.Type);
        Assert.Equal(14, await app.DbAsync(db => db.Users.CountAsync(ct)));
        Assert.Equal("accountant", AuthApp.Claims(await app.TokenAsync("pg@popug.inc", "long-enough-beak")).GetProperty("role").GetString());
        // The embedded relay publishes what was committed (no consumer is declared, so it is done at once).
        await Eventually.UntilAsync(() => app.DbAsync(db => db.Set<OutboxMessage>().AllAsync(m => m.PublishedAt != null, ct)),
            TimeSpan.FromSeconds(10), "the relay should publish every user event", ct);
    }
}
