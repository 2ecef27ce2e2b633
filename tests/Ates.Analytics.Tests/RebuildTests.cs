using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;
using Microsoft.AspNetCore.TestHost;
using System.Net.Http.Json;
using System.Text.Json;
using Ates.Analytics.Data;
using Ates.Analytics.Rebuild;
using Ates.Contracts;
using Ates.LocalServers;
using Microsoft.EntityFrameworkCore;

namespace Ates.Analytics.Tests;

/// <summary>
/// Rebuild after the scripted fortnight: Analytics' data is dropped and the three producers replay their logs into
/// it; the numbers afterwards are exactly those before. The data is spoiled first, so an unchanged database could
/// not pass for a rebuilt one.
/// </summary>
public sealed class RebuildTests : TestbedTests
{
    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        await Week.PlayAsync(Testbed);
    }

    /// <summary>A posting no event carried and a lost task title: what a rebuild must wash out. Returns the spoiled reports.</summary>
    async Task<string> SpoilAsync(string before)
    {
        await Testbed.DbAsync(async db =>
        {
            db.Set<PostingFact>().Add(new PostingFact { TransactionId = Guid.NewGuid(), AccountId = Week.W1.Id, Kind = TransactionKind.Reward, AmountCents = 99_00, TaskId = Week.Task("F").TaskId, Day = new DateOnly(2026, 3, 3) });
            await db.Tasks.Where(t => t.TaskId == Week.Task("E").TaskId).ExecuteUpdateAsync(t => t.SetProperty(x => x.Title, "garbled"), Ct);
            return await db.SaveChangesAsync(Ct);
        });
        var spoiled = await Snapshots.TakeAsync(Testbed);
        Assert.NotEqual(before, spoiled);
        return spoiled;
    }

    async Task<int> LogSizeAsync(TestProducer producer) => (await producer.LogAsync()).Count;

    [Fact]
    public async Task Rebuild_through_the_api_gives_exactly_the_same_numbers_with_progress_on_the_way()
    {
        var before = await Snapshots.TakeAsync(Testbed);
        var spoiled = await SpoilAsync(before);
        var token = await Testbed.TokenAsync("admin@popug.inc");
        using var admin = await Testbed.AdminAsync();

        // Accounting holds its replay, so the rebuild can be seen running.
        Testbed.Accounting.ReplayGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var started = await admin.PostAsync("/api/rebuild", null, Ct);
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        Assert.Equal("/api/rebuild", started.Headers.Location?.OriginalString);
        await Eventually.UntilAsync(async () =>
            (await admin.GetFromJsonAsync<JsonElement>("/api/rebuild", Ct)).GetProperty("producers").EnumerateArray()
                .Any(p => p.GetProperty("name").GetString() == "accounting" && p.GetProperty("state").GetString() == "replaying"),
            TimeSpan.FromSeconds(30), "the rebuild should reach accounting's replay", Ct);
        // Built aside: while it runs, the reports are the ones it will replace, whole.
        Assert.Equal(spoiled, await Snapshots.TakeAsync(Testbed));

        using (var again = await admin.PostAsync("/api/rebuild", null, Ct))
        {
            Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
            Assert.Equal("application/problem+json", again.Content.Headers.ContentType?.MediaType);
        }
        using (var page = await admin.GetAsync("/rebuild", Ct))
        {
            Assert.Equal("2", page.Headers.GetValues("Refresh").Single()); // the progress page polls itself
            var html = WebUtility.HtmlDecode(await page.Content.ReadAsStringAsync(Ct));
            Assert.Contains("Rebuilding…", html);
            Assert.Contains("<tr data-producer=\"accounting\">", html);
        }
        Testbed.Accounting.ReplayGate.SetResult();

        await Eventually.UntilAsync(async () => (await admin.GetFromJsonAsync<JsonElement>("/api/rebuild", Ct)).GetProperty("state").GetString() != "running",
            TimeSpan.FromSeconds(30), "the rebuild should finish", Ct);
        var progress = await admin.GetFromJsonAsync<JsonElement>("/api/rebuild", Ct);
        Assert.Equal("done", progress.GetProperty("state").GetString());
        foreach (var producer in Testbed.Producers)
        {
            var p = progress.GetProperty("producers").EnumerateArray().Single(x => x.GetProperty("name").GetString() == producer.Name);
            Assert.Equal(("done", await LogSizeAsync(producer)), (p.GetProperty("state").GetString(), p.GetProperty("sent").GetInt32()));
            Assert.Equal(p.GetProperty("sent").GetInt64(), p.GetProperty("handled").GetInt64());
            // The admin's own token went to every producer, once.
            Assert.Equal([$"Bearer {token}"], producer.ReplayAuthorizations);
        }

        Assert.Equal(before, await Snapshots.TakeAsync(Testbed));
        var page2 = WebUtility.HtmlDecode(await admin.GetStringAsync("/rebuild", Ct));
        Assert.Contains("Last rebuild: done", page2);
    }

    [Fact]
    public async Task The_rebuild_command_prints_its_progress_and_gives_the_same_numbers()
    {
        var before = await Snapshots.TakeAsync(Testbed);
        await SpoilAsync(before);
        var output = new StringWriter();

        var exit = await RebuildCommand.RunAsync(Testbed.Analytics.Services, ["rebuild", "--token", await Testbed.TokenAsync("admin@popug.inc")], output);

        var printed = output.ToString();
        Assert.True(exit == 0, printed);
        var events = await LogSizeAsync(Testbed.Accounting);
        Assert.Contains($"  accounting: done, {events} replayed, {events} handled", printed);
        Assert.Contains("  tasks: replaying", printed);
        Assert.EndsWith($"Rebuild done.{Environment.NewLine}", printed);
        Assert.Equal(before, await Snapshots.TakeAsync(Testbed));
    }

    [Fact]
    public async Task A_producer_that_refuses_the_replay_fails_the_rebuild_says_which_and_changes_nothing()
    {
        var spoiled = await SpoilAsync(await Snapshots.TakeAsync(Testbed));
        var output = new StringWriter();
        // No token: each producer's replay endpoint answers 401.
        var exit = await RebuildCommand.RunAsync(Testbed.Analytics.Services, ["rebuild", "--token", ""], output);
        var printed = output.ToString();
        Assert.Equal(1, exit);
        Assert.Contains("accounting refused the replay: 401", printed);
        Assert.Contains("Rebuild failed: Not rebuilt from accounting, auth, tasks", printed);
        Assert.Contains("the reports are as they were", printed);
        Assert.Equal(spoiled, await Snapshots.TakeAsync(Testbed));
        // Nothing of the failed generation is left behind.
        Assert.Equal([0L], await Testbed.DbAsync(db => db.Set<PostingFact>().Select(p => p.Generation).Distinct().ToListAsync(Ct)));
    }

    [Fact]
    public async Task Events_that_arrive_while_a_rebuild_runs_are_in_the_reports_it_switches_to()
    {
        using var admin = await Testbed.AdminAsync();
        // Tasks replays last: hold it, so Accounting's replay is over when a new posting comes live.
        Testbed.Tasks.ReplayGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (var started = await admin.PostAsync("/api/rebuild", null, Ct))
            Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        await Eventually.UntilAsync(async () =>
            (await admin.GetFromJsonAsync<JsonElement>("/api/rebuild", Ct)).GetProperty("producers").EnumerateArray()
                .Any(p => p.GetProperty("name").GetString() == "tasks" && p.GetProperty("state").GetString() == "replaying"),
            TimeSpan.FromSeconds(30), "the rebuild should reach tasks' replay", Ct);

        var live = new TransactionApplied(Guid.CreateVersion7(), Week.W2.Id, TransactionKind.Reward, 37m, Week.Task("A").TaskId, Week.Today);
        await Testbed.Accounting.PublishAsync([(live, Week.W2.Id.ToString())]);
        await Testbed.DeliveredAsync();
        var withLive = await Snapshots.TakeAsync(Testbed);
        Testbed.Tasks.ReplayGate.SetResult();

        await Eventually.UntilAsync(async () => (await admin.GetFromJsonAsync<JsonElement>("/api/rebuild", Ct)).GetProperty("state").GetString() == "done",
            TimeSpan.FromSeconds(30), "the rebuild should finish", Ct);
        Assert.Equal(withLive, await Snapshots.TakeAsync(Testbed));
        Assert.True(await Testbed.DbAsync(db => db.Postings.AnyAsync(p => p.TransactionId == live.TransactionId, Ct)), "the live posting is in the rebuilt reports");
        // The old generation is dropped: one generation of facts is left, the new live one.
        var state = await Testbed.DbAsync(db => db.State.AsNoTracking().SingleAsync(Ct));
        Assert.Equal((1L, (long?)null), (state.Live, state.Building));
        Assert.Equal([1L], await Testbed.DbAsync(db => db.Set<PostingFact>().Select(p => p.Generation).Distinct().ToListAsync(Ct)));
    }

    [Fact]
    public async Task The_page_says_how_far_back_each_producers_log_reaches_and_what_a_rebuild_would_lose()
    {
        using var admin = await Testbed.AdminAsync();
        var logs = await admin.GetFromJsonAsync<JsonElement>("/api/rebuild/logs", Ct);
        foreach (var producer in Testbed.Producers)
        {
            var log = logs.EnumerateArray().Single(l => l.GetProperty("producer").GetString() == producer.Name);
            var held = await producer.LogAsync();
            Assert.Equal((held[0].Sequence, held[^1].Sequence), (log.GetProperty("first_sequence").GetInt64(), log.GetProperty("last_sequence").GetInt64()));
            Assert.Equal(0, log.GetProperty("lost").GetInt64());
        }
        var page = WebUtility.HtmlDecode(await admin.GetStringAsync("/rebuild", Ct));
        Assert.Contains("What the producers' logs hold", page);
        Assert.Contains("90 days", page);

        // Accounting's retention has dropped its three oldest events, which the current reports were built from.
        await Testbed.Accounting.ForgetOldestAsync(3);
        var accounting = (await admin.GetFromJsonAsync<JsonElement>("/api/rebuild/logs", Ct)).EnumerateArray()
            .Single(l => l.GetProperty("producer").GetString() == "accounting");
        Assert.Equal(3, accounting.GetProperty("lost").GetInt64());
        page = WebUtility.HtmlDecode(await admin.GetStringAsync("/rebuild", Ct));
        Assert.Contains("The current reports hold 3 of its events that its log no longer has: a rebuild would lose them.", page);
    }

    [Fact]
    public async Task The_page_button_asks_for_confirmation_then_rebuilds()
    {
        var before = await Snapshots.TakeAsync(Testbed);
        await SpoilAsync(before);
        // A browser-like client: it keeps the antiforgery cookie (and signs in with the admin's token here).
        using var browser = new HttpClient(new CookieContainerHandler { InnerHandler = Testbed.Analytics.GetTestServer().CreateHandler() }) { BaseAddress = new Uri("http://localhost") };
        browser.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await Testbed.TokenAsync("admin@popug.inc"));
        var page = WebUtility.HtmlDecode(await browser.GetStringAsync("/rebuild", Ct));
        Assert.Contains("name=\"confirm\" value=\"yes\" required", page);
        Assert.Contains("onsubmit=\"return confirm('Build the analytics data again from the event history?');\"", page);
        var antiforgery = Regex.Match(page, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value;

        using (var unconfirmed = await browser.PostAsync("/rebuild", new FormUrlEncodedContent([new("__RequestVerificationToken", antiforgery)]), Ct))
        {
            Assert.Equal(HttpStatusCode.BadRequest, unconfirmed.StatusCode);
            Assert.Contains("Tick the box to confirm", await unconfirmed.Content.ReadAsStringAsync(Ct));
        }
        using (var forged = await browser.PostAsync("/rebuild", new FormUrlEncodedContent([new("confirm", "yes")]), Ct))
            Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await browser.GetAsync("/api/rebuild", Ct)).StatusCode);
        Assert.All(Testbed.Producers, p => Assert.Empty(p.ReplayAuthorizations));

        using var confirmed = await browser.PostAsync("/rebuild", new FormUrlEncodedContent([new("__RequestVerificationToken", antiforgery), new("confirm", "yes")]), Ct);
        Assert.Equal(HttpStatusCode.Redirect, confirmed.StatusCode);
        Assert.Equal("/rebuild?notice=Rebuild%20started.", confirmed.Headers.Location?.OriginalString);
        await Eventually.UntilAsync(async () => (await browser.GetStringAsync("/rebuild", Ct)).Contains("Last rebuild: done"),
            TimeSpan.FromSeconds(30), "the rebuild page should show it done", Ct);
        Assert.Equal(before, await Snapshots.TakeAsync(Testbed));
    }
}
