using System.Net;
using System.Text.RegularExpressions;
using Ates.LocalServers;
using Ates.Testing;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;
using Microsoft.AspNetCore.TestHost;

namespace Ates.Analytics.Tests;

/// <summary>
/// The pages as a browser uses them: signed in through Auth (code + PKCE) with a session cookie. A non-admin sees
/// the "not for your role" page; an admin's rebuild forwards the access token the session saved.
/// </summary>
public sealed class PageSessionTests : TestbedTests
{

    [Fact]
    public async Task A_signed_in_worker_gets_the_403_page_on_every_page()
    {
        using var browser = await SignedInBrowserAsync("worker2@popug.inc");
        foreach (var path in new[] { "/", "/rebuild", "/history/chart.svg", "/ops" })
        {
            using var response = await browser.GetAsync(path, Ct);
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{path}: {(int)response.StatusCode} {response.Headers.Location}");
            Assert.Contains("Not for your role", await response.Content.ReadAsStringAsync(Ct));
        }
    }

    [Fact]
    public async Task A_signed_in_admin_sees_the_dashboard_and_the_rebuild_forwards_the_sessions_access_token()
    {
        await Week.PlayAsync(Testbed);
        var before = await Snapshots.TakeAsync(Testbed);
        using var browser = await SignedInBrowserAsync("admin@popug.inc");
        Assert.Contains("data-test=\"earnings-today\">$7<", await browser.GetStringAsync("/", Ct));

        var page = await browser.GetStringAsync("/rebuild", Ct);
        var antiforgery = Regex.Match(page, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value;
        using var confirmed = await browser.PostAsync("/rebuild", new FormUrlEncodedContent([new("__RequestVerificationToken", antiforgery), new("confirm", "yes")]), Ct);
        Assert.Equal(HttpStatusCode.Redirect, confirmed.StatusCode);
        await Eventually.UntilAsync(async () => WebUtility.HtmlDecode(await browser.GetStringAsync("/rebuild", Ct)).Contains("Last rebuild: done"),
            TimeSpan.FromSeconds(30), "the rebuild should finish", Ct);

        // Each producer got the admin's access token from the page session: a JWT, not the cookie.
        foreach (var producer in Testbed.Producers)
            Assert.Matches("^Bearer [A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$", Assert.Single(producer.ReplayAuthorizations));
        Assert.Equal(before, await Snapshots.TakeAsync(Testbed));
    }

    /// <summary>Drives the browser's side of the code + PKCE flow; Auth runs in memory, so its cookies live in their own jar.</summary>
    async Task<HttpClient> SignedInBrowserAsync(string email)
    {
        var browser = new HttpClient(new CookieContainerHandler { InnerHandler = Testbed.Analytics.GetTestServer().CreateHandler() })
            { BaseAddress = new Uri("http://localhost") };
        browser.DefaultRequestHeaders.Accept.ParseAdd("text/html");
        using var atAuth = Testbed.Auth.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

        using var page = await browser.GetAsync("/", Ct);
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        var authorize = page.Headers.Location!;
        Assert.Equal("/connect/authorize", authorize.AbsolutePath);
        Assert.Contains("client_id=analytics", authorize.Query);

        var callback = await CodeFlow.ThroughAuthAsync(atAuth, authorize, email, Testbed.Password, Ct);
        Assert.StartsWith("http://localhost/signin-oidc?code=", callback.OriginalString);

        using var redeemed = await browser.GetAsync(callback.PathAndQuery, Ct);
        Assert.True(redeemed.StatusCode == HttpStatusCode.Redirect, $"{(int)redeemed.StatusCode} {redeemed.Headers} {await redeemed.Content.ReadAsStringAsync(Ct)}");
        Assert.Equal("/", redeemed.Headers.Location!.OriginalString);
        return browser;
    }
}
