using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Ates.Auth.Tests;

/// <summary>The admin's users page: same rules and events as the API, through HTML forms.</summary>
public sealed partial class UserPageTests(AuthApp app) : IClassFixture<AuthApp>
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Anonymous_browsers_go_to_sign_in_and_non_admins_are_forbidden()
    {
        using var anonymous = await app.Browser().GetAsync("/admin/users", Ct);
        Assert.Equal(HttpStatusCode.Found, anonymous.StatusCode);
        Assert.Equal("/signin", anonymous.Headers.Location!.AbsolutePath);

        foreach (var email in new[] { "manager@popug.inc", "accountant@popug.inc", "worker2@popug.inc" })
        {
            var browser = await app.SignedInBrowserAsync(email);
            using var list = await browser.GetAsync("/admin/users", Ct);
            Assert.Equal(HttpStatusCode.Found, list.StatusCode);
            Assert.Equal("/forbidden", list.Headers.Location!.AbsolutePath);
            using var forbidden = await browser.GetAsync(list.Headers.Location, Ct);
            Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);

            var before = await app.CountsAsync();
            using var post = await browser.PostAsync("/admin/users", TokenTests.Form(("name", "X"), ("email", "x@popug.inc"), ("role", "admin"), ("password", "long-enough-beak")), Ct);
            Assert.Equal(HttpStatusCode.Found, post.StatusCode);
            Assert.Equal("/forbidden", post.Headers.Location!.AbsolutePath);
            Assert.Equal(before, await app.CountsAsync());
        }
    }

    [Fact]
    public async Task An_admin_adds_renames_promotes_and_deactivates_a_popug_through_the_page()
    {
        var browser = await app.SignedInBrowserAsync("admin@popug.inc");
        using var list = await browser.GetAsync("/admin/users", Ct);
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        var html = await list.Content.ReadAsStringAsync(Ct);
        var before = await app.CountsAsync();
        Assert.Equal(before.Users, Regex.Matches(html, "<tr class=\"(active|deactivated)\">").Count);
        var csrf = TokenTests.Hidden(html, "__RequestVerificationToken");

        // Without the antiforgery token nothing happens.
        using var forged = await browser.PostAsync("/admin/users", TokenTests.Form(("name", "Forged"), ("email", "forged@popug.inc"), ("role", "worker"), ("password", "long-enough-beak")), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Equal(before, await app.CountsAsync());

        var start = await app.LastSequenceAsync();
        using var added = await browser.PostAsync("/admin/users", TokenTests.Form(
            ("name", "Page Popug"), ("email", "page@popug.inc"), ("role", "worker"), ("password", "long-enough-beak"), ("__RequestVerificationToken", csrf)), Ct);
        Assert.Equal(HttpStatusCode.Found, added.StatusCode);
        Assert.StartsWith("/admin/users?done=", added.Headers.Location!.OriginalString);
        var created = Assert.Single(await app.OutboxAfterAsync(start));
        Assert.Equal("user.created", created.Type);
        var id = await app.UserIdAsync("page@popug.inc");

        // A duplicate email is refused on the page with the reason, and stores nothing.
        var counts = await app.CountsAsync();
        using var duplicate = await browser.PostAsync("/admin/users", TokenTests.Form(
            ("name", "Copy"), ("email", "PAGE@popug.inc"), ("role", "worker"), ("password", "long-enough-beak"), ("__RequestVerificationToken", csrf)), Ct);
        Assert.Equal(HttpStatusCode.Conflict, duplicate.StatusCode);
        Assert.Contains("Email already taken", await duplicate.Content.ReadAsStringAsync(Ct));
        Assert.Equal(counts, await app.CountsAsync());

        using var renamed = await browser.PostAsync($"/admin/users/{id}", TokenTests.Form(
            ("name", "Page Popug II"), ("email", "page@popug.inc"), ("__RequestVerificationToken", csrf)), Ct);
        Assert.Equal(HttpStatusCode.Found, renamed.StatusCode);
        using var promoted = await browser.PostAsync($"/admin/users/{id}/role", TokenTests.Form(("role", "accountant"), ("__RequestVerificationToken", csrf)), Ct);
        Assert.Equal(HttpStatusCode.Found, promoted.StatusCode);
        using var deactivated = await browser.PostAsync($"/admin/users/{id}/deactivate", TokenTests.Form(("__RequestVerificationToken", csrf)), Ct);
        Assert.Equal(HttpStatusCode.Found, deactivated.StatusCode);

        var events = (await app.OutboxAfterAsync(created.Sequence)).Select(r => JsonDocument.Parse(r.Data).RootElement).ToList();
        Assert.Equal(3, events.Count);
        Assert.Equal(("Page Popug II", "worker", "active", 2L), Snapshot(events[0]));
        Assert.Equal(("Page Popug II", "accountant", "active", 3L), Snapshot(events[1]));
        Assert.Equal(("Page Popug II", "accountant", "deactivated", 4L), Snapshot(events[2]));

        // An admin cannot deactivate themself from the page either.
        var self = await app.UserIdAsync("admin@popug.inc");
        using var own = await browser.PostAsync($"/admin/users/{self}/deactivate", TokenTests.Form(("__RequestVerificationToken", csrf)), Ct);
        Assert.Equal(HttpStatusCode.Conflict, own.StatusCode);
        Assert.Contains("You cannot deactivate yourself", await own.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task Auth_pages_stand_on_the_shared_frame_with_the_menu_of_the_signed_in_role()
    {
        // Nobody is signed in on the sign-in page: the frame shows no menu and no sign-out.
        using var signIn = await app.Browser().GetAsync("/signin", Ct);
        var anonymous = await signIn.Content.ReadAsStringAsync(Ct);
        Assert.Equal([], Menu(anonymous));
        Assert.DoesNotContain("/signout", anonymous);

        // The admin's users page: the admin's whole menu with Users current, their name, and sign-out in the header.
        var admin = await app.SignedInBrowserAsync("admin@popug.inc");
        var users = await (await admin.GetAsync("/admin/users", Ct)).Content.ReadAsStringAsync(Ct);
        Assert.Equal([("Tasks", false), ("Accounting", false), ("Analytics", false), ("Users", true), ("Ops", false)], Menu(users));
        Assert.Matches(new Regex("<form class=\"who\" method=\"post\" action=\"/signout\">.*Ada Admin <span class=\"badge\">admin</span>", RegexOptions.Singleline), Header(users));

        // A manager on Auth's own page sees a manager's menu: the role comes from Auth's cookie.
        var manager = await app.SignedInBrowserAsync("manager@popug.inc");
        Assert.Equal([("Tasks", false)], Menu(await (await manager.GetAsync("/", Ct)).Content.ReadAsStringAsync(Ct)));
    }

    static string Header(string html) => Regex.Match(html, "<header class=\"top\">(.*?)</header>", RegexOptions.Singleline).Groups[1].Value;

    static List<(string, bool)> Menu(string html) =>
        [.. Regex.Matches(Header(html), "<nav>.*?</nav>", RegexOptions.Singleline).SelectMany(nav => Regex.Matches(nav.Value, "<a href=\"[^\"]*\"( class=\"current\")?>([^<]*)</a>"))
            .Select(a => (a.Groups[2].Value, a.Groups[1].Success))];

    static (string?, string?, string?, long) Snapshot(JsonElement e) =>
        (e.GetProperty("name").GetString(), e.GetProperty("role").GetString(), e.GetProperty("status").GetString(), e.GetProperty("entity_version").GetInt64());
}
