using System.Net;

namespace Ates.Auth.Tests;

public sealed class SecurityTests(AuthApp app) : IClassFixture<AuthApp>
{
    [Fact]
    public async Task Five_wrong_passwords_lock_the_account_even_for_the_right_one()
    {
        for (var i = 0; i < 5; i++)
        {
            using var wrong = await app.PasswordGrantAsync("worker9@popug.inc", $"wrong-beak-{i}");
            Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        }
        using var right = await app.PasswordGrantAsync("worker9@popug.inc", AuthApp.Password);
        Assert.Equal(HttpStatusCode.BadRequest, right.StatusCode);
        Assert.Contains("locked", (await AuthApp.ReadJsonAsync(right)).GetProperty("error_description").GetString());
    }

    [Fact]
    public async Task Two_concurrent_creates_with_one_email_store_one_user_and_one_event()
    {
        var api = app.Api(await app.TokenAsync("admin@popug.inc"));
        var before = await app.CountsAsync();
        var start = await app.LastSequenceAsync();
        var attempts = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => api.PostAsync("/api/users",
            AuthApp.Json($$"""{"name":"Twin {{i}}","email":"twin@popug.inc","role":"worker","password":"long-enough-beak"}"""),
            TestContext.Current.CancellationToken)));

        Assert.Single(attempts, r => r.StatusCode == HttpStatusCode.Created);
        foreach (var refused in attempts.Where(r => r.StatusCode != HttpStatusCode.Created))
            await AuthApp.AssertProblemAsync(refused, 409);
        Assert.Equal((before.Users + 1, before.Outbox + 1), await app.CountsAsync());
        Assert.Equal("user.created", Assert.Single(await app.OutboxAfterAsync(start)).Type);
    }

    [Fact]
    public async Task Sign_out_ends_the_session_at_auth()
    {
        var browser = app.Browser();
        var ct = TestContext.Current.CancellationToken;
        using var page = await browser.GetAsync("/signin", ct);
        var antiforgery = TokenTests.Hidden(await page.Content.ReadAsStringAsync(ct), "__RequestVerificationToken");
        using var signedIn = await browser.PostAsync("/signin", TokenTests.Form(
            ("email", "worker5@popug.inc"), ("password", AuthApp.Password), ("returnUrl", "/"), ("__RequestVerificationToken", antiforgery)), ct);
        Assert.Equal(HttpStatusCode.Found, signedIn.StatusCode);
        using var home = await browser.GetAsync("/", ct);
        Assert.Equal(HttpStatusCode.OK, home.StatusCode);
        var html = await home.Content.ReadAsStringAsync(ct);
        Assert.Contains("Kakadu Popugaev 5", html);

        using var signedOut = await browser.PostAsync("/signout", TokenTests.Form(("__RequestVerificationToken", TokenTests.Hidden(html, "__RequestVerificationToken"))), ct);
        Assert.Equal(HttpStatusCode.Redirect, signedOut.StatusCode);
        using var after = await browser.GetAsync("/", ct);
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
        Assert.Equal("/signin", after.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task The_sign_in_page_never_redirects_off_site()
    {
        var browser = app.Browser();
        var ct = TestContext.Current.CancellationToken;
        using var page = await browser.GetAsync("/signin", ct);
        var antiforgery = TokenTests.Hidden(await page.Content.ReadAsStringAsync(ct), "__RequestVerificationToken");
        using var signedIn = await browser.PostAsync("/signin", TokenTests.Form(
            ("email", "worker6@popug.inc"), ("password", AuthApp.Password), ("returnUrl", "//evil.example/steal"), ("__RequestVerificationToken", antiforgery)), ct);
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        Assert.Equal("/", signedIn.Headers.Location!.OriginalString);
    }
}

public sealed class EndSessionTests(AuthApp app) : IClassFixture<AuthApp>
{
    [Fact]
    public async Task End_session_refuses_an_unregistered_return_address()
    {
        var ct = TestContext.Current.CancellationToken;
        var browser = await app.SignedInBrowserAsync("worker10@popug.inc");
        using var ended = await browser.GetAsync(
            $"/connect/endsession?client_id={AuthApp.PagesClient}&post_logout_redirect_uri={Uri.EscapeDataString("http://evil.example/")}", ct);
        Assert.Equal(HttpStatusCode.BadRequest, ended.StatusCode);
    }
}
