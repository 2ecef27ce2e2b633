using System.Net;
using System.Text;
using Ates.Contracts;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using static Ates.Auth.Tests.TokenTests;

namespace Ates.Auth.Tests;

/// <summary>What another site, or someone guessing passwords, would try first against Auth's pages (issue "Security").</summary>
public sealed class AttackTests(AuthApp app) : IClassFixture<AuthApp>
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("deactivate")]
    [InlineData("reactivate")]
    public async Task A_bodiless_post_from_another_site_changes_no_user(string action)
    {
        var admin = await app.SignedInBrowserAsync("admin@popug.inc");
        var id = await app.UserIdAsync(action == "deactivate" ? "worker4@popug.inc" : "worker5@popug.inc");
        if (action == "reactivate") await SetStatusAsync(id, UserStatus.Deactivated);
        var before = await app.DbAsync(db => db.Users.AsNoTracking().SingleAsync(u => u.Id == id, Ct));
        var sequence = await app.LastSequenceAsync();

        // What a form on evil.example posts with the admin's cookies: no antiforgery token.
        using var forged = await admin.PostAsync($"/admin/users/{id}/{action}", null, Ct);
        await AuthApp.AssertProblemAsync(forged, 400);
        var after = await app.DbAsync(db => db.Users.AsNoTracking().SingleAsync(u => u.Id == id, Ct));
        Assert.Equal((before.Status, before.EntityVersion), (after.Status, after.EntityVersion));
        Assert.Empty(await app.OutboxAfterAsync(sequence));

        // The page's own button carries the token and works.
        using var page = await admin.GetAsync("/admin/users", Ct);
        var token = Hidden(await page.Content.ReadAsStringAsync(Ct), "__RequestVerificationToken");
        using var real = await admin.PostAsync($"/admin/users/{id}/{action}", Form(("__RequestVerificationToken", token)), Ct);
        Assert.Equal(HttpStatusCode.Redirect, real.StatusCode);
        Assert.NotEqual(before.Status, (await app.DbAsync(db => db.Users.AsNoTracking().SingleAsync(u => u.Id == id, Ct))).Status);
    }

    [Fact]
    public async Task Sign_out_from_another_site_does_not_end_the_session()
    {
        var browser = await app.SignedInBrowserAsync("worker6@popug.inc");
        using var forged = await browser.PostAsync("/signout", null, Ct);
        await AuthApp.AssertProblemAsync(forged, 400);
        using var home = await browser.GetAsync("/", Ct);
        Assert.Equal(HttpStatusCode.OK, home.StatusCode);
    }

    /// <summary>Browsers drop tabs and line breaks from a URL: "/\t/evil.example" is followed to //evil.example.</summary>
    [Theory]
    [InlineData("/\t/evil.example")]
    [InlineData("/\n/evil.example")]
    [InlineData("/\r\n/evil.example/x")]
    public async Task A_return_address_with_a_control_character_stays_on_the_site(string returnUrl)
    {
        var browser = app.Browser();
        using var page = await browser.GetAsync("/signin", Ct);
        var antiforgery = Hidden(await page.Content.ReadAsStringAsync(Ct), "__RequestVerificationToken");
        using var signedIn = await browser.PostAsync("/signin", Form(
            ("email", "worker7@popug.inc"), ("password", AuthApp.Password), ("returnUrl", returnUrl), ("__RequestVerificationToken", antiforgery)), Ct);
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        Assert.Equal("/", signedIn.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task End_session_from_a_link_asks_first_and_signs_out_on_the_confirmation()
    {
        var browser = await app.SignedInBrowserAsync("worker8@popug.inc");
        using var asked = await browser.GetAsync(
            $"/connect/endsession?client_id={AuthApp.PagesClient}&post_logout_redirect_uri={Uri.EscapeDataString("http://localhost/signed-out")}&state=bye", Ct);
        Assert.Equal(HttpStatusCode.OK, asked.StatusCode);
        var html = await asked.Content.ReadAsStringAsync(Ct);
        Assert.Contains("Sign out of tasks, accounting and analytics", html);
        using (var home = await browser.GetAsync("/", Ct)) Assert.Equal(HttpStatusCode.OK, home.StatusCode);

        using var confirmed = await browser.PostAsync("/connect/endsession", Form(
            ("client_id", Hidden(html, "client_id")), ("post_logout_redirect_uri", Hidden(html, "post_logout_redirect_uri")),
            ("state", Hidden(html, "state")), ("__RequestVerificationToken", Hidden(html, "__RequestVerificationToken")), ("confirm", "yes")), Ct);
        Assert.Equal(HttpStatusCode.Found, confirmed.StatusCode);
        Assert.StartsWith("http://localhost/signed-out", confirmed.Headers.Location!.OriginalString);
        Assert.Contains("state=bye", confirmed.Headers.Location.OriginalString);
        using var after = await browser.GetAsync("/", Ct);
        Assert.Equal("/signin", after.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task End_session_with_the_popugs_own_id_token_signs_out_at_once_and_with_anothers_asks_first()
    {
        var browser = await app.SignedInBrowserAsync("worker9@popug.inc");
        var attackers = await IdTokenAsync("worker10@popug.inc");
        using var asked = await browser.GetAsync($"/connect/endsession?id_token_hint={attackers}", Ct);
        Assert.Equal(HttpStatusCode.OK, asked.StatusCode);
        using (var home = await browser.GetAsync("/", Ct)) Assert.Equal(HttpStatusCode.OK, home.StatusCode);

        var own = await IdTokenAsync("worker9@popug.inc");
        using var ended = await browser.GetAsync($"/connect/endsession?id_token_hint={own}", Ct);
        Assert.Equal(HttpStatusCode.Found, ended.StatusCode);
        using var after = await browser.GetAsync("/", Ct);
        Assert.Equal("/signin", after.Headers.Location!.OriginalString);
    }

    async Task SetStatusAsync(Guid id, UserStatus status) => await app.DbAsync(async db =>
        await db.Users.Where(u => u.Id == id).ExecuteUpdateAsync(u => u.SetProperty(x => x.Status, status), Ct));

    /// <summary>An ID token of the popug, as any client of theirs holds one.</summary>
    async Task<string> IdTokenAsync(string email)
    {
        using var grant = await app.PasswordGrantAsync(email, AuthApp.Password);
        return (await AuthApp.ReadJsonAsync(grant)).GetProperty("id_token").GetString()!;
    }
}

/// <summary>Failed sign-ins are held back per client address (the gateway's X-Forwarded-For), so lockouts cannot be forced at scale.</summary>
public sealed class ThrottleTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task After_the_allowed_failures_an_address_waits_even_with_the_right_password_and_others_do_not()
    {
        await using var app = new AuthApp { Settings = [("Auth:SignInThrottle:Failures", "3"), ("Auth:SignInThrottle:Window", "00:10:00")] };
        const string Guesser = "203.0.113.7", Popug = "198.51.100.20";
        // Three different accounts: the lockout (five failures each) is not what stops the guesser.
        foreach (var victim in new[] { "worker1@popug.inc", "worker2@popug.inc", "worker3@popug.inc" })
            Assert.Equal(StatusCodes.Status400BadRequest, (await GrantAsync(app, Guesser, victim, "a-guess")).Response.StatusCode);

        var held = await GrantAsync(app, Guesser, "worker4@popug.inc", AuthApp.Password);
        Assert.Equal(StatusCodes.Status429TooManyRequests, held.Response.StatusCode);
        // Until one failure is back: ten minutes over three failures.
        Assert.Equal("200", held.Response.Headers.RetryAfter.ToString());
        Assert.Contains("too_many_requests", await BodyAsync(held));

        // Another address is not held back, and a success costs it nothing.
        for (var i = 0; i < 5; i++)
            Assert.Equal(StatusCodes.Status200OK, (await GrantAsync(app, Popug, "worker4@popug.inc", AuthApp.Password)).Response.StatusCode);
        // The guessed accounts are not locked: one failure each.
        Assert.Equal(StatusCodes.Status200OK, (await GrantAsync(app, Popug, "worker1@popug.inc", AuthApp.Password)).Response.StatusCode);
    }

    [Fact]
    public async Task A_username_the_form_reader_cannot_take_is_a_400_not_a_500()
    {
        await using var app = new AuthApp();
        // A NUL, or a value over the form limit: the framework's form reader refuses them before OpenIddict sees the grant.
        foreach (var username in new[] { "nobody\u0000@popug.inc", new string('x', 100_000) })
        {
            var refused = await GrantAsync(app, "203.0.113.9", username, "a-guess");
            var body = await BodyAsync(refused);
            Assert.True(refused.Response.StatusCode == StatusCodes.Status400BadRequest, $"{username.Length} chars: {refused.Response.StatusCode} {body}");
            Assert.Contains("The form could not be read", body);
        }
        var wrong = await GrantAsync(app, "203.0.113.9", "nobody@popug.inc", "a-guess");
        Assert.Equal(StatusCodes.Status400BadRequest, wrong.Response.StatusCode);
        Assert.Contains("invalid_grant", await BodyAsync(wrong));
    }

    [Fact]
    public async Task The_sign_in_page_says_how_long_to_wait()
    {
        await using var app = new AuthApp { Settings = [("Auth:SignInThrottle:Failures", "2")] };
        var browser = app.Browser();
        HttpResponseMessage? last = null;
        for (var i = 0; i < 3; i++)
        {
            using var page = await browser.GetAsync("/signin", Ct);
            var antiforgery = Hidden(await page.Content.ReadAsStringAsync(Ct), "__RequestVerificationToken");
            last?.Dispose();
            last = await browser.PostAsync("/signin", Form(("email", "worker5@popug.inc"), ("password", i < 2 ? "a-guess" : AuthApp.Password),
                ("returnUrl", "/"), ("__RequestVerificationToken", antiforgery)), Ct);
        }
        using var held = last!;
        Assert.Equal(HttpStatusCode.TooManyRequests, held.StatusCode);
        Assert.NotNull(held.Headers.RetryAfter);
        Assert.Contains("Too many failed sign-ins from here. Try again in", await held.Content.ReadAsStringAsync(Ct));
    }

    /// <summary>A password grant as the gateway forwards it: from loopback, the client's address in X-Forwarded-For.</summary>
    static Task<HttpContext> GrantAsync(AuthApp app, string clientAddress, string email, string password) => app.Server.SendAsync(c =>
    {
        c.Connection.RemoteIpAddress = IPAddress.Loopback;
        c.Request.Method = HttpMethods.Post;
        c.Request.Path = "/connect/token";
        c.Request.Headers["X-Forwarded-For"] = clientAddress;
        c.Request.ContentType = "application/x-www-form-urlencoded";
        c.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes(
            $"grant_type=password&client_id=ates-cli&scope=openid&username={Uri.EscapeDataString(email)}&password={Uri.EscapeDataString(password)}"));
    }, Ct);

    static async Task<string> BodyAsync(HttpContext context)
    {
        return await new StreamReader(context.Response.Body).ReadToEndAsync(Ct);
    }
}
