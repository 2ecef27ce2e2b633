using System.Net;
using Ates.Messaging.Outbox;
using Ates.Testing;
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

    [Fact]
    public async Task On_postgresql_users_tokens_and_events_work_the_same()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var pg = await PostgresServer.StartAsync(ct);
        var connection = await pg.CreateUniqueDatabaseAsync("auth", ct);
        await using var app = new AuthApp { Settings = [("Auth:Database", $"postgres:{connection}")] };

        var admin = await app.TokenAsync("admin@popug.inc");
        var api = app.Api(admin);
        var before = await app.LastSequenceAsync();
        using var created = await api.PostAsync("/api/users",
            AuthApp.Json("""{"name":"Pg Popug","email":"pg@popug.inc","role":"accountant","password":"long-enough-beak"}"""), ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        using var duplicate = await api.PostAsync("/api/users",
            AuthApp.Json("""{"name":"Pg Popug","email":"PG@popug.inc","role":"worker","password":"long-enough-beak"}"""), ct);
        await AuthApp.AssertProblemAsync(duplicate, 409);

        var row = Assert.Single(await app.OutboxAfterAsync(before));
        Assert.Equal("user.created", row.Type);
        Assert.Equal(14, await app.DbAsync(db => db.Users.CountAsync(ct)));
        Assert.Equal("accountant", AuthApp.Claims(await app.TokenAsync("pg@popug.inc", "long-enough-beak")).GetProperty("role").GetString());
        // The embedded relay publishes what was committed (no consumer is declared, so it is done at once).
        await Eventually.UntilAsync(() => app.DbAsync(db => db.Set<OutboxMessage>().AllAsync(m => m.PublishedAt != null, ct)),
            TimeSpan.FromSeconds(10), "the relay should publish every user event", ct);
    }
}
