using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Ates.Tasks.Domain;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;

namespace Ates.Tasks.Tests;

/// <summary>
/// The tracker's pages, server-rendered, driven as a browser would (forms with their antiforgery token). Signed in by
/// bearer token here; the cookie sign-in through Auth is covered by the ServiceDefaults and browser tests.
/// </summary>
public sealed partial class PageTests : IAsyncLifetime
{
    TasksSystem _system = null!;
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _system = await TasksSystem.StartAsync();

    public async ValueTask DisposeAsync() => await _system.DisposeAsync();

    /// <summary>A browser-like client: a token, the cookies it is given, no automatic redirects.</summary>
    sealed class Browser(HttpClient client)
    {
        readonly Dictionary<string, string> _cookies = [];

        public async Task<(HttpResponseMessage Response, string Html)> SendAsync(HttpMethod method, string path, Dictionary<string, string>? form = null)
        {
            using var request = new HttpRequestMessage(method, path);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/html"));
            if (_cookies.Count > 0) request.Headers.Add("Cookie", string.Join("; ", _cookies.Select(c => $"{c.Key}={c.Value}")));
            if (form is not null) request.Content = new FormUrlEncodedContent(form);
            var response = await client.SendAsync(request, Ct);
            if (response.Headers.TryGetValues("Set-Cookie", out var setCookies))
                foreach (var cookie in setCookies.Select(c => c.Split(';')[0].Split('=', 2))) _cookies[cookie[0]] = cookie[1];
            // Decoded, so assertions read as the page does (Razor encodes quotes and non-ASCII characters).
            return (response, WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync(Ct)));
        }

        public Task<(HttpResponseMessage Response, string Html)> GetAsync(string path) => SendAsync(HttpMethod.Get, path);

        /// <summary>Posts the form found at <paramref name="formAction"/> on <paramref name="html"/>, with its antiforgery token.</summary>
        public Task<(HttpResponseMessage Response, string Html)> SubmitAsync(string html, string formAction, Dictionary<string, string>? fields = null)
        {
            var form = Regex.Match(html, $"<form[^>]*action=\"{Regex.Escape(formAction)}\"[^>]*>(.*?)</form>", RegexOptions.Singleline);
            Assert.True(form.Success, $"no form posting to {formAction} on the page");
            var token = TokenPattern().Match(form.Groups[1].Value);
            Assert.True(token.Success, $"the form posting to {formAction} has no antiforgery token");
            var values = new Dictionary<string, string>(fields ?? []) { ["__RequestVerificationToken"] = token.Groups[1].Value };
            return SendAsync(HttpMethod.Post, formAction, values);
        }
    }

    async Task<Browser> BrowserAsync(string email)
    {
        var client = _system.Tasks.GetTestClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await _system.TokenAsync(email));
        return new Browser(client);
    }

    [Fact]
    public async Task A_task_created_on_the_page_appears_in_the_list_and_its_assignee_marks_it_done()
    {
        var manager = await BrowserAsync("manager@popug.inc");
        var (form, html) = await manager.GetAsync("/new");
        Assert.Equal(HttpStatusCode.OK, form.StatusCode);
        Assert.Contains("<title>New task · aTES</title>", html);

        var (created, _) = await manager.SubmitAsync(html, "/new", new() { ["title"] = "Fix the beak", ["jira_id"] = "uberpop-42", ["description"] = "It squeaks." });
        Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);
        var (_, list) = await manager.GetAsync(created.Headers.Location!.OriginalString);
        Assert.Contains("Created “Fix the beak” and assigned it to", list);
        Assert.Contains("UBERPOP-42", list);
        Assert.Contains("Shuffle open tasks", list);

        var task = await _system.DbAsync(db => db.Tasks.SingleAsync());
        var assignee = await _system.UserAsync(task.AssigneeId);
        var worker = await BrowserAsync(assignee.Email);
        var (_, mine) = await worker.GetAsync("/mine");
        Assert.Contains("Fix the beak", mine);
        Assert.DoesNotContain("Shuffle open tasks", mine);
        var (done, _) = await worker.SubmitAsync(mine, $"/{task.Id}/complete");
        Assert.Equal(HttpStatusCode.Redirect, done.StatusCode);
        var (_, after) = await worker.GetAsync(done.Headers.Location!.OriginalString);
        Assert.Contains("Done: “Fix the beak”", after);
        Assert.Contains("Nothing assigned to you is open", after);
        Assert.Equal(TaskState.Done, (await _system.DbAsync(db => db.Tasks.SingleAsync())).State);
    }

    [Fact]
    public async Task A_refused_form_comes_back_with_the_reason_beside_the_field_and_stores_nothing()
    {
        var worker = await BrowserAsync("worker2@popug.inc");
        var (_, html) = await worker.GetAsync("/new");
        var (refused, page) = await worker.SubmitAsync(html, "/new", new() { ["title"] = "[UBERPOP-42] Fix the beak", ["jira_id"] = "", ["description"] = "" });
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("Put the jira id in the jira_id field", page);
        Assert.Contains("value=\"[UBERPOP-42] Fix the beak\"", page);
        Assert.Equal(0, await _system.DbAsync(db => db.Tasks.CountAsync()));

        // Without the antiforgery token the post is refused.
        var (forged, _) = await worker.SendAsync(HttpMethod.Post, "/new", new() { ["title"] = "Forged" });
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Equal(0, await _system.DbAsync(db => db.Tasks.CountAsync()));
    }

    [Fact]
    public async Task Only_managers_and_admins_may_shuffle_from_the_page()
    {
        var manager = await BrowserAsync("manager@popug.inc");
        var (_, html) = await manager.GetAsync("/new");
        await manager.SubmitAsync(html, "/new", new() { ["title"] = "Shuffle me" });
        var (_, list) = await manager.GetAsync("/");
        var before = await _system.LastSequenceAsync();
        var (tokenless, _) = await manager.SendAsync(HttpMethod.Post, "/shuffle", []);
        Assert.Equal(HttpStatusCode.BadRequest, tokenless.StatusCode);
        Assert.Empty(await _system.EventsAsync(before));
        var (shuffled, _) = await manager.SubmitAsync(list, "/shuffle");
        Assert.Equal(HttpStatusCode.Redirect, shuffled.StatusCode);
        Assert.Contains("Shuffled", Uri.UnescapeDataString(shuffled.Headers.Location!.OriginalString));

        var worker = await BrowserAsync("worker1@popug.inc");
        var (_, page) = await worker.GetAsync("/");
        Assert.DoesNotContain("action=\"/shuffle\"", page);
        // Even with a valid token taken from another form, the worker's post is forbidden, and shown as a page.
        var (forbidden, refusal) = await worker.SubmitAsync(Regex.Replace((await worker.GetAsync("/new")).Html, "action=\"/new\"", "action=\"/shuffle\""), "/shuffle");
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.Contains("Not for your role", refusal);
    }

    [Fact]
    public async Task Lists_filter_by_status_and_assignee_and_a_bad_filter_is_explained()
    {
        var manager = await BrowserAsync("manager@popug.inc");
        for (var i = 0; i < 3; i++)
        {
            var (_, html) = await manager.GetAsync("/new");
            await manager.SubmitAsync(html, "/new", new() { ["title"] = $"Task {i}" });
        }
        var (_, all) = await manager.GetAsync("/");
        Assert.Equal(3, Regex.Matches(all, "<strong>Task \\d</strong>").Count);
        var (_, done) = await manager.GetAsync("/?status=done");
        Assert.Contains("No tasks here yet", done);
        var (bad, explained) = await manager.GetAsync("/?status=closed");
        Assert.Equal(HttpStatusCode.OK, bad.StatusCode);
        Assert.Contains("Unknown status", explained);
        var someone = (await _system.DbAsync(db => db.Tasks.FirstAsync())).AssigneeId;
        var (_, theirs) = await manager.GetAsync($"/?assignee={someone}");
        Assert.Equal(await _system.DbAsync(db => db.Tasks.CountAsync(t => t.AssigneeId == someone)), Regex.Matches(theirs, "<strong>Task \\d</strong>").Count);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();
}
