using System.Net;
using Ates.Contracts;
using Ates.ServiceDefaults.Users;
using Microsoft.EntityFrameworkCore;

namespace Ates.Analytics.Tests;

/// <summary>Analytics is for admins only: every page and endpoint refuses every other role, no token and a deactivated admin.</summary>
public sealed class AccessTests : TestbedTests
{

    static readonly (HttpMethod Method, string Path)[] Api =
    [
        (HttpMethod.Get, "/api/today"), (HttpMethod.Get, "/api/earnings?date=2026-03-03"), (HttpMethod.Get, "/api/popugs-in-negative"),
        (HttpMethod.Get, "/api/most-expensive-task?period=week"), (HttpMethod.Get, "/api/history"),
        (HttpMethod.Get, "/api/rebuild"), (HttpMethod.Post, "/api/rebuild"), (HttpMethod.Get, "/api/ops"),
        (HttpMethod.Get, "/api/ops/status"), (HttpMethod.Get, "/api/ops/dead-letters"),
    ];

    static readonly (HttpMethod Method, string Path)[] Pages =
    [
        (HttpMethod.Get, "/"), (HttpMethod.Get, "/?date=2026-03-03"), (HttpMethod.Get, "/history/chart.svg"),
        (HttpMethod.Get, "/rebuild"), (HttpMethod.Post, "/rebuild"), (HttpMethod.Get, "/ops"), (HttpMethod.Post, "/ops"),
    ];

    async Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string path)
    {
        using var request = new HttpRequestMessage(method, path);
        if (method == HttpMethod.Post)
            request.Content = path.StartsWith("/api", StringComparison.Ordinal) ? null : new FormUrlEncodedContent([new("confirm", "yes")]);
        return await client.SendAsync(request, Ct);
    }

    [Fact]
    public async Task Workers_managers_and_accountants_get_403_on_every_page_and_endpoint()
    {
        foreach (var email in new[] { "worker1@popug.inc", "manager@popug.inc", "accountant@popug.inc" })
        {
            using var client = await Testbed.ClientAsync(email);
            foreach (var (method, path) in Api.Concat(Pages))
            {
                using var response = await SendAsync(client, method, path);
                Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{email} {method} {path}: {(int)response.StatusCode}");
                if (path.StartsWith("/api", StringComparison.Ordinal))
                    Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            }
        }
        // The refused rebuilds started nothing, and the producers were never asked to replay.
        using var admin = await Testbed.AdminAsync();
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/api/rebuild", Ct)).StatusCode);
        Assert.All(Testbed.Producers, p => Assert.Empty(p.ReplayAuthorizations));
    }

    [Fact]
    public async Task Without_a_token_the_api_answers_401_and_the_pages_send_the_browser_to_sign_in()
    {
        using var anonymous = await Testbed.ClientAsync(null);
        foreach (var (method, path) in Api)
        {
            using var response = await SendAsync(anonymous, method, path);
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{method} {path}: {(int)response.StatusCode}");
        }
        foreach (var (method, path) in Pages)
        {
            using var response = await SendAsync(anonymous, method, path);
            Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"{method} {path}: {(int)response.StatusCode}");
            Assert.Equal("/connect/authorize", response.Headers.Location?.AbsolutePath);
        }
        Assert.All(Testbed.Producers, p => Assert.Empty(p.ReplayAuthorizations));
    }

    [Fact]
    public async Task An_admin_gets_in_until_deactivated_then_gets_401_on_every_page_and_endpoint()
    {
        using var admin = await Testbed.AdminAsync();
        foreach (var (method, path) in Api.Concat(Pages).Where(e => e.Method == HttpMethod.Get))
        {
            using var response = await SendAsync(admin, method, path);
            // No rebuild has run yet: its progress is a 404 problem, which still means the admin got in.
            var expected = path == "/api/rebuild" ? HttpStatusCode.NotFound : HttpStatusCode.OK;
            Assert.True(response.StatusCode == expected, $"admin {method} {path}: {(int)response.StatusCode}");
        }

        // Auth deactivates the admin: user.updated reaches Analytics' replica, and the still valid token is refused.
        var adminId = Guid.Parse(System.Text.Json.JsonDocument.Parse(Base64Url(( await Testbed.TokenAsync("admin@popug.inc")).Split('.')[1])).RootElement.GetProperty("sub").GetString()!);
        await Testbed.AuthEvents.PublishAsync([(new UserUpdated(adminId, "Ada Admin", "admin@popug.inc", UserRole.Admin, UserStatus.Deactivated, 100), adminId.ToString())]);
        await Testbed.DeliveredAsync();
        Assert.False((await Testbed.DbAsync(db => db.Set<KnownUser>().SingleAsync(u => u.Id == adminId, Ct))).IsActive);

        foreach (var (method, path) in Api.Concat(Pages))
        {
            using var response = await SendAsync(admin, method, path);
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"deactivated admin {method} {path}: {(int)response.StatusCode}");
        }
        Assert.All(Testbed.Producers, p => Assert.Empty(p.ReplayAuthorizations));
    }

    static string Base64Url(string part)
    {
        var s = part.Replace('-', '+').Replace('_', '/');
        return System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(s.PadRight(s.Length + (4 - s.Length % 4) % 4, '=')));
    }
}
