using System.Net;

namespace Ates.Auth.Tests;

/// <summary>Every user-admin endpoint: 401 without a token, 403 for every role but admin.</summary>
public sealed class UserAccessTests(AuthApp app) : IClassFixture<AuthApp>
{
    public static TheoryData<string, string, string?> Endpoints()
    {
        var someone = Guid.NewGuid();
        return new()
        {
            { "GET", "/api/users", null },
            { "GET", $"/api/users/{someone}", null },
            { "POST", "/api/users", """{"name":"Intruder","email":"intruder@popug.inc","role":"admin","password":"long-enough-beak"}""" },
            { "PATCH", $"/api/users/{someone}", """{"name":"Renamed"}""" },
            { "PUT", $"/api/users/{someone}/role", """{"role":"admin"}""" },
            { "POST", $"/api/users/{someone}/deactivate", null },
            { "POST", $"/api/users/{someone}/reactivate", null },
        };
    }

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task Without_a_token_every_endpoint_answers_401(string method, string path, string? body)
    {
        var before = await app.CountsAsync();
        using var response = await app.Api(null).SendAsync(Request(method, path, body), TestContext.Current.CancellationToken);
        await AuthApp.AssertProblemAsync(response, 401);
        Assert.Equal(before, await app.CountsAsync());
    }

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task Every_role_but_admin_gets_403(string method, string path, string? body)
    {
        foreach (var email in new[] { "manager@popug.inc", "accountant@popug.inc", "worker7@popug.inc" })
        {
            var before = await app.CountsAsync();
            using var response = await app.Api(await app.TokenAsync(email)).SendAsync(Request(method, path, body), TestContext.Current.CancellationToken);
            await AuthApp.AssertProblemAsync(response, 403);
            Assert.Equal(before, await app.CountsAsync());
        }
    }

    [Fact]
    public async Task A_forged_token_answers_401()
    {
        var token = await app.TokenAsync("admin@popug.inc");
        var parts = token.Split('.');
        var forged = $"{parts[0]}.{parts[1]}.{new string('A', parts[2].Length)}";
        using var response = await app.Api(forged).GetAsync("/api/users", TestContext.Current.CancellationToken);
        await AuthApp.AssertProblemAsync(response, 401);
    }

    /// <summary>An admin's ID token, or an access token for another API, does not open Auth's users API.</summary>
    [Theory]
    [InlineData("id_token", "openid profile roles auth")]
    [InlineData("access_token", "openid profile roles tasks accounting analytics")]
    [InlineData("access_token", "openid profile roles")]
    public async Task Only_an_access_token_for_auth_opens_its_api(string kind, string scope)
    {
        var ct = TestContext.Current.CancellationToken;
        using var grant = await app.CreateClient().PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "password", ["client_id"] = "ates-cli", ["username"] = "admin@popug.inc", ["password"] = AuthApp.Password, ["scope"] = scope,
        }), ct);
        var token = (await AuthApp.ReadJsonAsync(grant)).GetProperty(kind).GetString();
        using var response = await app.Api(token).GetAsync("/api/users", ct);
        await AuthApp.AssertProblemAsync(response, 401);
    }

    [Fact]
    public async Task An_admin_lists_the_demo_company()
    {
        using var response = await app.Api(await app.TokenAsync("admin@popug.inc")).GetAsync("/api/users", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var users = (await AuthApp.ReadJsonAsync(response)).EnumerateArray().ToList();
        Assert.Equal(13, users.Count);
        Assert.Equal(10, users.Count(u => u.GetProperty("role").GetString() == "worker"));
        Assert.Single(users, u => u.GetProperty("email").GetString() == "admin@popug.inc" && u.GetProperty("role").GetString() == "admin");
        Assert.All(users, u => Assert.Equal("active", u.GetProperty("status").GetString()));
    }

    internal static HttpRequestMessage Request(string method, string path, string? body) =>
        new(new HttpMethod(method), path) { Content = body is null ? null : AuthApp.Json(body) };
}
