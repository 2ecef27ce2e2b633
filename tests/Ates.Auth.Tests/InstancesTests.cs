using System.Net;
using Microsoft.EntityFrameworkCore;

namespace Ates.Auth.Tests;

/// <summary>Several Auth instances on one database behave as one: cookies and forms from one are read by another.</summary>
public sealed class InstancesTests
{
    [Fact]
    public async Task A_form_from_one_instance_signs_in_on_another_and_its_cookie_works_on_the_first()
    {
        var ct = TestContext.Current.CancellationToken;
        var folder = Directory.CreateTempSubdirectory("ates-auth-shared-").FullName;
        try
        {
            var database = ("Auth:Database", $"sqlite:{Path.Combine(folder, "auth.db")}");
            await using var first = new AuthApp { Settings = [database] };
            _ = first.Server;
            await using var second = new AuthApp { Settings = [database] };
            _ = second.Server;

            using var page = await first.CreateClient().GetAsync("/signin", ct);
            var antiforgery = TokenTests.Hidden(await page.Content.ReadAsStringAsync(ct), "__RequestVerificationToken");
            var formCookie = Cookie(page, "ates.auth.antiforgery");

            using var signIn = new HttpRequestMessage(HttpMethod.Post, "/signin")
            {
                Content = TokenTests.Form(("email", "manager@popug.inc"), ("password", AuthApp.Password), ("returnUrl", "/"), ("__RequestVerificationToken", antiforgery)),
            };
            signIn.Headers.Add("Cookie", formCookie);
            using var signedIn = await second.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = false }).SendAsync(signIn, ct);
            Assert.Equal(HttpStatusCode.Found, signedIn.StatusCode);

            using var home = new HttpRequestMessage(HttpMethod.Get, "/");
            home.Headers.Add("Cookie", Cookie(signedIn, "ates.auth"));
            using var answer = await first.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = false }).SendAsync(home, ct);
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
            Assert.Contains("Max Manager", await answer.Content.ReadAsStringAsync(ct));
            // The key ring lives in Auth's database (on one machine the default profile folder would be shared too,
            // so this is what proves separate hosts would agree).
            Assert.Equal(1, await first.DbAsync(db => db.DataProtectionKeys.CountAsync(ct)));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    static string Cookie(HttpResponseMessage response, string name) =>
        response.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0]).Single(c => c.StartsWith(name + "=", StringComparison.Ordinal));
}
