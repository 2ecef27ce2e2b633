using System.Net;
using System.Text.RegularExpressions;

namespace Ates.Testing;

/// <summary>The redirects of one sign-in: Auth's authorize request, the callback with the code, and where the browser landed.</summary>
public sealed record CodeFlowSteps(Uri Authorize, Uri Callback, Uri Landed);

/// <summary>
/// Drives a browser through a service's sign-in at Auth (authorization code + PKCE). Auth usually runs in memory in a
/// test, so its cookies live in <c>atAuth</c>'s jar (a client of Auth that keeps cookies and does not follow
/// redirects) rather than the browser's. Every step must be a redirect; anything else throws with the response.
/// </summary>
public static class CodeFlow
{
    /// <summary>From a page of the service to the service's session cookie.</summary>
    public static async Task<CodeFlowSteps> SignInAsync(HttpClient browser, HttpClient atAuth, string page, string email, string password, CancellationToken ct = default)
    {
        // The page sends the browser to Auth's authorize endpoint with a PKCE challenge.
        using var start = await browser.GetAsync(page, ct).ConfigureAwait(false);
        var authorize = await RedirectAsync(start, $"{page} should send the browser to Auth", ct).ConfigureAwait(false);

        var callback = await ThroughAuthAsync(atAuth, authorize, email, password, ct).ConfigureAwait(false);

        // The service redeems the code (with its verifier) and signs the browser in with its cookie.
        using var redeemed = await browser.GetAsync(callback.PathAndQuery, ct).ConfigureAwait(false);
        var landed = await RedirectAsync(redeemed, "the service should redeem the code", ct).ConfigureAwait(false);
        return new CodeFlowSteps(authorize, callback, landed);
    }

    /// <summary>Auth's side: from the service's redirect to /connect/authorize, through the sign-in form, to the callback carrying the code.</summary>
    public static async Task<Uri> ThroughAuthAsync(HttpClient atAuth, Uri authorize, string email, string password, CancellationToken ct = default)
    {
        // Auth asks the browser to sign in, then sends it back to the authorize request.
        using var toSignIn = await atAuth.GetAsync(authorize.PathAndQuery, ct).ConfigureAwait(false);
        var signInPage = await RedirectAsync(toSignIn, "Auth should ask for a sign-in", ct).ConfigureAwait(false);
        var form = await atAuth.GetStringAsync(signInPage.OriginalString, ct).ConfigureAwait(false);
        string Field(string name) => WebUtility.HtmlDecode(Regex.Match(form, $"name=\"{Regex.Escape(name)}\" value=\"([^\"]*)\"").Groups[1].Value);
        var antiforgeryName = Regex.Match(form, "<input type=\"hidden\" name=\"([^\"]+)\"").Groups[1].Value;
        using var signedIn = await atAuth.PostAsync("/signin", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            [antiforgeryName] = Field(antiforgeryName),
            ["returnUrl"] = Field("returnUrl"),
            ["email"] = email,
            ["password"] = password,
        }), ct).ConfigureAwait(false);
        var back = await RedirectAsync(signedIn, $"signing in as {email}", ct).ConfigureAwait(false);
        using var withCode = await atAuth.GetAsync(back.OriginalString, ct).ConfigureAwait(false);
        return await RedirectAsync(withCode, "Auth should send the code back", ct).ConfigureAwait(false);
    }

    static async Task<Uri> RedirectAsync(HttpResponseMessage response, string step, CancellationToken ct) =>
        response.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.Found && response.Headers.Location is { } location
            ? location
            : throw new InvalidOperationException($"{step}: expected a redirect, got {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false)}");
}
