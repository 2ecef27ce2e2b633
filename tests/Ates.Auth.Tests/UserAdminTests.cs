using System.Net;
using System.Text.Json;

namespace Ates.Auth.Tests;

/// <summary>The users API as an admin uses it: every refusal is a problem that stores nothing; every change is one event.</summary>
public sealed class UserAdminTests(AuthApp app) : IClassFixture<AuthApp>
{
    public static TheoryData<string, string, string, int, string?> BadRequests() => new()
    {
        // method, path ({worker} = worker1's id, {admin} = the admin's id, {nobody} = an unknown id), body, status, field
        { "POST", "/api/users", """{"email":"a@popug.inc","role":"worker","password":"long-enough-beak"}""", 400, "name" },
        { "POST", "/api/users", """{"name":"  ","email":"a@popug.inc","role":"worker","password":"long-enough-beak"}""", 400, "name" },
        { "POST", "/api/users", """{"name":"A","role":"worker","password":"long-enough-beak"}""", 400, "email" },
        { "POST", "/api/users", """{"name":"A","email":"a@popug.inc","password":"long-enough-beak"}""", 400, "role" },
        { "POST", "/api/users", """{"name":"A","email":"a@popug.inc","role":"worker"}""", 400, "password" },
        { "POST", "/api/users", """{"name":"A","email":"a@popug.inc","role":"ceo","password":"long-enough-beak"}""", 400, "role" },
        { "POST", "/api/users", """{"name":"A","email":"a@popug.inc","role":"1","password":"long-enough-beak"}""", 400, "role" },
        { "POST", "/api/users", """{"name":"A","email":"a@popug.inc","role":"worker","password":"short"}""", 400, "password" },
        { "POST", "/api/users", """{"name":"A","email":"a@popug.inc","role":"worker","password":"aaaaaaaaaaaa"}""", 400, "password" },
        { "POST", "/api/users", """{"name":"A","email":"not-an-email","role":"worker","password":"long-enough-beak"}""", 400, "email" },
        { "POST", "/api/users", """{"name":"A","email":"WORKER2@popug.inc","role":"worker","password":"long-enough-beak"}""", 409, null },
        { "POST", "/api/users", """{"name":"A","email":"a@popug.inc","role":"worker","password":"long-enough-beak" """, 400, null },
        { "POST", "/api/users", """{"name":12,"email":"a@popug.inc","role":"worker","password":"long-enough-beak"}""", 400, null },
        { "POST", "/api/users", "", 400, null },
        { "POST", "/api/users", "[]", 400, null },
        { "PATCH", "/api/users/{worker}", """{}""", 400, "name" },
        { "PATCH", "/api/users/{worker}", """{"name":""}""", 400, "name" },
        { "PATCH", "/api/users/{worker}", """{"email":"manager@popug.inc"}""", 409, null },
        { "PATCH", "/api/users/{worker}", """{"email":"nope"}""", 400, "email" },
        { "PATCH", "/api/users/{nobody}", """{"name":"Ghost"}""", 404, null },
        { "PATCH", "/api/users/not-a-guid", """{"name":"Ghost"}""", 404, null },
        { "PUT", "/api/users/{worker}/role", """{"role":"owner"}""", 400, "role" },
        { "PUT", "/api/users/{worker}/role", """{}""", 400, "role" },
        { "PUT", "/api/users/{nobody}/role", """{"role":"manager"}""", 404, null },
        { "PUT", "/api/users/{admin}/role", """{"role":"worker"}""", 409, null },
        { "POST", "/api/users/{admin}/deactivate", "", 409, null },
        { "POST", "/api/users/{nobody}/deactivate", "", 404, null },
        { "POST", "/api/users/{nobody}/reactivate", "", 404, null },
        { "GET", "/api/users/{nobody}", "", 404, null },
        { "DELETE", "/api/users/{worker}", "", 405, null },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task A_bad_request_is_a_problem_and_stores_nothing(string method, string path, string body, int status, string? field)
    {
        var admin = await app.TokenAsync("admin@popug.inc");
        path = path.Replace("{worker}", (await app.UserIdAsync("worker1@popug.inc")).ToString())
            .Replace("{admin}", (await app.UserIdAsync("admin@popug.inc")).ToString())
            .Replace("{nobody}", Guid.NewGuid().ToString());
        var before = await app.CountsAsync();
        var beforeWorker = await app.DbAsync(db => Task.FromResult(db.Users.Single(u => u.Email == "worker1@popug.inc").EntityVersion));

        using var response = await app.Api(admin).SendAsync(UserAccessTests.Request(method, path, method is "GET" or "DELETE" ? null : body), TestContext.Current.CancellationToken);

        var problem = await AuthApp.AssertProblemAsync(response, status);
        if (field is not null)
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"no error for {field}: {problem}");
        Assert.Equal(before, await app.CountsAsync());
        Assert.Equal(beforeWorker, await app.DbAsync(db => Task.FromResult(db.Users.Single(u => u.Email == "worker1@popug.inc").EntityVersion)));
    }

    [Fact]
    public async Task Wrong_content_type_is_415_problem()
    {
        var before = await app.CountsAsync();
        using var response = await app.Api(await app.TokenAsync("admin@popug.inc")).PostAsync("/api/users",
            new StringContent("""{"name":"A","email":"a@popug.inc","role":"worker","password":"long-enough-beak"}""", System.Text.Encoding.UTF8, "text/plain"), TestContext.Current.CancellationToken);
        await AuthApp.AssertProblemAsync(response, 415);
        Assert.Equal(before, await app.CountsAsync());
    }

    [Fact]
    public async Task Every_change_writes_exactly_one_event_with_the_full_snapshot()
    {
        var api = app.Api(await app.TokenAsync("admin@popug.inc"));
        var start = await app.LastSequenceAsync();

        using var created = await api.PostAsync("/api/users",
            AuthApp.Json("""{"name":"Pavel Popugaev","email":"pavel@popug.inc","role":"worker","password":"long-enough-beak"}"""), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var view = await AuthApp.ReadJsonAsync(created);
        var id = view.GetProperty("id").GetGuid();
        Assert.Equal($"/api/users/{id}", created.Headers.Location!.OriginalString);
        Assert.Equal(1, view.GetProperty("entity_version").GetInt64());
        var seq = await AssertOneEventAsync(start, "user.created", id, "Pavel Popugaev", "pavel@popug.inc", "worker", "active", 1);

        using var renamed = await api.PatchAsync($"/api/users/{id}", AuthApp.Json("""{"name":"Pavel the Great","email":"pavel.great@popug.inc"}"""), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, renamed.StatusCode);
        seq = await AssertOneEventAsync(seq, "user.updated", id, "Pavel the Great", "pavel.great@popug.inc", "worker", "active", 2);

        using var promoted = await api.PutAsync($"/api/users/{id}/role", AuthApp.Json("""{"role":"Manager"}"""), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, promoted.StatusCode);
        seq = await AssertOneEventAsync(seq, "user.updated", id, "Pavel the Great", "pavel.great@popug.inc", "manager", "active", 3);

        using var deactivated = await api.PostAsync($"/api/users/{id}/deactivate", null, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, deactivated.StatusCode);
        Assert.Equal("deactivated", (await AuthApp.ReadJsonAsync(deactivated)).GetProperty("status").GetString());
        seq = await AssertOneEventAsync(seq, "user.updated", id, "Pavel the Great", "pavel.great@popug.inc", "manager", "deactivated", 4);

        // Deactivating again changes nothing, so it writes nothing.
        using var again = await api.PostAsync($"/api/users/{id}/deactivate", null, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Empty(await app.OutboxAfterAsync(seq));

        using var reactivated = await api.PostAsync($"/api/users/{id}/reactivate", null, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, reactivated.StatusCode);
        await AssertOneEventAsync(seq, "user.updated", id, "Pavel the Great", "pavel.great@popug.inc", "manager", "active", 5);

        using var got = await api.GetAsync($"/api/users/{id}", TestContext.Current.CancellationToken);
        var final = await AuthApp.ReadJsonAsync(got);
        Assert.Equal(5, final.GetProperty("entity_version").GetInt64());
        Assert.Equal("manager", final.GetProperty("role").GetString());
    }

    [Fact]
    public async Task A_deactivated_user_cannot_get_a_token_nor_use_one_issued_before()
    {
        var api = app.Api(await app.TokenAsync("admin@popug.inc"));
        using var created = await api.PostAsync("/api/users",
            AuthApp.Json("""{"name":"Second Admin","email":"admin2@popug.inc","role":"admin","password":"long-enough-beak"}"""), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await AuthApp.ReadJsonAsync(created)).GetProperty("id").GetGuid();
        var earlier = await app.TokenAsync("admin2@popug.inc", "long-enough-beak");
        using (var works = await app.Api(earlier).GetAsync("/api/users", TestContext.Current.CancellationToken)) Assert.Equal(HttpStatusCode.OK, works.StatusCode);

        using var deactivated = await api.PostAsync($"/api/users/{id}/deactivate", null, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, deactivated.StatusCode);

        using var grant = await app.PasswordGrantAsync("admin2@popug.inc", "long-enough-beak");
        Assert.Equal(HttpStatusCode.BadRequest, grant.StatusCode);
        var error = await AuthApp.ReadJsonAsync(grant);
        Assert.Equal("invalid_grant", error.GetProperty("error").GetString());
        Assert.Contains("deactivated", error.GetProperty("error_description").GetString());

        // The token from before still has a valid signature, but Auth's API checks the account, not the token.
        using var refused = await app.Api(earlier).GetAsync("/api/users", TestContext.Current.CancellationToken);
        await AuthApp.AssertProblemAsync(refused, 403);

        // The sign-in page refuses too.
        var browser = app.Browser();
        using var page = await browser.GetAsync("/signin", TestContext.Current.CancellationToken);
        var antiforgery = TokenTests.Hidden(await page.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), "__RequestVerificationToken");
        using var signIn = await browser.PostAsync("/signin", TokenTests.Form(
            ("email", "admin2@popug.inc"), ("password", "long-enough-beak"), ("returnUrl", "/"), ("__RequestVerificationToken", antiforgery)), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Forbidden, signIn.StatusCode);
        Assert.Contains("deactivated", await signIn.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));

        // Reactivated, the same password works again.
        using var back = await api.PostAsync($"/api/users/{id}/reactivate", null, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, back.StatusCode);
        Assert.Equal(id.ToString(), AuthApp.Claims(await app.TokenAsync("admin2@popug.inc", "long-enough-beak")).GetProperty("sub").GetString());
    }

    async Task<long> AssertOneEventAsync(long after, string type, Guid id, string name, string email, string role, string status, long version)
    {
        var rows = await app.OutboxAfterAsync(after);
        var row = Assert.Single(rows);
        Assert.Equal(type, row.Type);
        Assert.Equal(1, row.Version);
        Assert.Equal(id.ToString(), row.PartitionKey);
        var data = JsonDocument.Parse(row.Data).RootElement;
        Assert.Equal(id, data.GetProperty("user_id").GetGuid());
        Assert.Equal(name, data.GetProperty("name").GetString());
        Assert.Equal(email, data.GetProperty("email").GetString());
        Assert.Equal(role, data.GetProperty("role").GetString());
        Assert.Equal(status, data.GetProperty("status").GetString());
        Assert.Equal(version, data.GetProperty("entity_version").GetInt64());
        return row.Sequence;
    }
}
