using System.Net;
using System.Text.RegularExpressions;

namespace Ates.Testing;

/// <summary>
/// Auth's side of the authorization code flow as a browser walks it: from a service's redirect to /connect/authorize,
/// through Auth's sign-in form, to the service's callback carrying the code. <c>atAuth</c> is a client of Auth that
/// keeps cookies and does not follow redirects.
/// </summary>
public static class CodeFlow
{
    public static async Task<Uri> ThroughAuthAsync(HttpClient atAuth, Uri authorize, string email, string password, CancellationToken ct)
    {
        // Auth asks the browser to sign in, then sends it back to the authorize request.
        using var toSignIn = await atAuth.GetAsync(authorize.PathAndQuery, ct);
        Expect(toSignIn, HttpStatusCode.Redirect, "authorize should send an anonymous browser to sign in");
        var form = await atAuth.GetStringAsync(toSignIn.Headers.Location!.OriginalString, ct);
        string Field(string name) => WebUtility.HtmlDecode(Regex.Match(form, $"name=\"{Regex.Escape(name)}\" value=\"([^\"]*)\"").Groups[1].Value);
        var antiforgeryName = Regex.Match(form, "<input type=\"hidden\" name=\"([^\"]+)\"").Groups[1].Value;
        using var signedIn = await atAuth.PostAsync("/signin", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            [antiforgeryName] = Field(antiforgeryName),
            ["returnUrl"] = Field("returnUrl"),
            ["email"] = email,
            ["password"] = password,
        }), ct);
        Expect(signedIn, HttpStatusCode.Redirect, $"the sign-in of {email} should succeed");
        using var withCode = await atAuth.GetAsync(signedIn.Headers.Location!.OriginalString, ct);
        Expect(withCode, HttpStatusCode.Redirect, "authorize should send the signed-in browser back with a code");
        return withCode.Headers.Location!;
    }

    static void Expect(HttpResponseMessage response, HttpStatusCode status, string because)
    {
        if (response.StatusCode != status)
            throw new InvalidOperationException($"{because}: {response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}, not {(int)status}.");
    }
}
