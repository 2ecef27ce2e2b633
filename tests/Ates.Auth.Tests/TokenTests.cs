using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using System.Web;

namespace Ates.Auth.Tests;

public sealed partial class TokenTests(AuthApp app) : IClassFixture<AuthApp>
{
    [Fact]
    public async Task Password_grant_returns_a_signed_jwt_with_sub_name_email_and_role()
    {
        var token = await app.TokenAsync("accountant@popug.inc");

        Assert.Equal(3, token.Split('.').Length); // a JWS, not an encrypted JWE (which has five parts)
        var claims = AuthApp.Claims(token);
        Assert.Equal((await app.UserIdAsync("accountant@popug.inc")).ToString(), claims.GetProperty("sub").GetString());
        Assert.Equal("accountant", claims.GetProperty("role").GetString());
        Assert.Equal("accountant@popug.inc", claims.GetProperty("email").GetString());
        Assert.Equal("Alice Accountant", claims.GetProperty("name").GetString());
    }

    [Fact]
    public async Task Password_grant_refuses_a_wrong_password()
    {
        using var response = await app.PasswordGrantAsync("worker1@popug.inc", "not-the-beak");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_grant", (await AuthApp.ReadJsonAsync(response)).GetProperty("error").GetString());
    }

    [Fact]
    public async Task Authorization_code_flow_with_pkce_signs_a_worker_in_over_http()
    {
        var browser = app.Browser();
        var verifier = Base64Url(RandomNumberGenerator.GetBytes(32));
        var challenge = Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
        var authorize = "/connect/authorize?" + string.Join("&", new Dictionary<string, string>
        {
            ["client_id"] = AuthApp.PagesClient,
            ["redirect_uri"] = AuthApp.Callback,
            ["response_type"] = "code",
            ["scope"] = "openid profile email roles offline_access",
            ["code_challenge"] = challenge,
            ["code_challenge_method"] = "S256",
            ["state"] = "state-42",
        }.Select(p => $"{p.Key}={Uri.EscapeDataString(p.Value)}"));

        // Not signed in: to the sign-in page.
        using var toSignIn = await browser.GetAsync(authorize, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Found, toSignIn.StatusCode);
        Assert.Equal("/signin", toSignIn.Headers.Location!.AbsolutePath);

        using var page = await browser.GetAsync(toSignIn.Headers.Location, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        var antiforgery = Hidden(html, "__RequestVerificationToken");
        var returnUrl = Hidden(html, "returnUrl");
        Assert.StartsWith("/connect/authorize?", returnUrl);

        // Without the antiforgery token the form is refused.
        using var forged = await browser.PostAsync("/signin", Form(("email", "worker3@popug.inc"), ("password", AuthApp.Password), ("returnUrl", returnUrl)), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);

        using var signedIn = await browser.PostAsync("/signin", Form(
            ("email", "worker3@popug.inc"), ("password", AuthApp.Password), ("returnUrl", returnUrl), ("__RequestVerificationToken", antiforgery)), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Found, signedIn.StatusCode);
        Assert.Equal(returnUrl, signedIn.Headers.Location!.OriginalString);

        using var toClient = await browser.GetAsync(signedIn.Headers.Location, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Found, toClient.StatusCode);
        var callback = toClient.Headers.Location!;
        Assert.Equal(AuthApp.Callback, callback.GetLeftPart(UriPartial.Path));
        var query = HttpUtility.ParseQueryString(callback.Query);
        Assert.Equal("state-42", query["state"]);
        var code = query["code"];
        Assert.False(string.IsNullOrEmpty(code));

        var exchange = new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["client_id"] = AuthApp.PagesClient,
            ["redirect_uri"] = AuthApp.Callback,
            ["code"] = code!,
            ["code_verifier"] = "a-wrong-verifier-a-wrong-verifier-a-wrong-verifier",
        };
        // A wrong verifier is refused (PKCE): a stolen code alone is worth nothing.
        using var wrong = await app.CreateClient().PostAsync("/connect/token", new FormUrlEncodedContent(exchange), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);

        // The browser is still signed in: a fresh code, exchanged with the right verifier.
        using var again = await browser.GetAsync(signedIn.Headers.Location, TestContext.Current.CancellationToken);
        exchange["code"] = HttpUtility.ParseQueryString(again.Headers.Location!.Query)["code"]!;
        exchange["code_verifier"] = verifier;
        using var tokens = await app.CreateClient().PostAsync("/connect/token", new FormUrlEncodedContent(exchange), TestContext.Current.CancellationToken);
        var tokenJson = await AuthApp.ReadJsonAsync(tokens);
        Assert.Equal(HttpStatusCode.OK, tokens.StatusCode);
        var access = tokenJson.GetProperty("access_token").GetString()!;
        var workerId = (await app.UserIdAsync("worker3@popug.inc")).ToString();
        Assert.Equal(workerId, AuthApp.Claims(access).GetProperty("sub").GetString());
        Assert.Equal("worker", AuthApp.Claims(access).GetProperty("role").GetString());
        Assert.Equal(workerId, AuthApp.Claims(tokenJson.GetProperty("id_token").GetString()!).GetProperty("sub").GetString());

        var userinfo = app.CreateClient();
        userinfo.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", access);
        using var info = await userinfo.GetAsync("/connect/userinfo", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, info.StatusCode);
        var me = await AuthApp.ReadJsonAsync(info);
        Assert.Equal(workerId, me.GetProperty("sub").GetString());
        Assert.Equal("worker3@popug.inc", me.GetProperty("email").GetString());
        Assert.Equal("worker", me.GetProperty("role").GetString());
        Assert.Equal("Rio Popugaev 3", me.GetProperty("name").GetString());

        // The refresh token gives a new access token for the same user.
        using var refreshed = await app.CreateClient().PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token",
            ["client_id"] = AuthApp.PagesClient,
            ["refresh_token"] = tokenJson.GetProperty("refresh_token").GetString()!,
        }), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
        Assert.Equal(workerId, AuthApp.Claims((await AuthApp.ReadJsonAsync(refreshed)).GetProperty("access_token").GetString()!).GetProperty("sub").GetString());
    }

    [Fact]
    public async Task Sign_in_page_refuses_a_wrong_password_and_sets_no_cookie()
    {
        var browser = app.Browser();
        using var page = await browser.GetAsync("/signin", TestContext.Current.CancellationToken);
        var antiforgery = Hidden(await page.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), "__RequestVerificationToken");
        using var refused = await browser.PostAsync("/signin", Form(
            ("email", "worker4@popug.inc"), ("password", "wrong-beak-shape"), ("returnUrl", "/"), ("__RequestVerificationToken", antiforgery)), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Contains("The email or password is wrong.", await refused.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.False(refused.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.StartsWith("ates.auth=", StringComparison.Ordinal)));
    }

    internal static string Hidden(string html, string name)
    {
        var match = Regex.Match(html, $"name=\"{Regex.Escape(name)}\" value=\"([^\"]*)\"");
        Assert.True(match.Success, $"no hidden field {name} in the page");
        return WebUtility.HtmlDecode(match.Groups[1].Value);
    }

    internal static FormUrlEncodedContent Form(params (string Key, string Value)[] fields) =>
        new(fields.Select(f => KeyValuePair.Create(f.Key, f.Value)));

    static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
