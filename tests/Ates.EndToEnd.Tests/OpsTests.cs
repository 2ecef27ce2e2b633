using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Ates.EndToEnd.Tests;

/// <summary>The admins' ops page in Chromium: every consumer's lag, a poison event's dead letters retried and discarded, a replay.</summary>
public abstract partial class OpsTests(SystemUnderTest system)
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_admin_sees_every_consumer_up_to_date_deals_with_dead_letters_and_replays_a_log()
    {
        // Tasks' log holds at least this task, whichever test ran first: the replay below has something to send.
        using (var managerApi = await system.ApiAsync("manager@popug.inc"))
        using (var created = await managerApi.PostAsync("/tasks/api/tasks", System.Net.Http.Json.JsonContent.Create(new { title = "Sort the mail" }), Ct))
            Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync(Ct));
        await system.SettledAsync(Ct);
        var admin = await system.SignInAsync("admin@popug.inc", "/analytics/ops");
        admin.Dialog += (_, dialog) => dialog.AcceptAsync();
        Assert.Contains("Ops", await admin.Locator("header nav a").AllInnerTextsAsync());

        // Each consumer against each producer it reads: Tasks ← Auth; Accounting ← Auth, Tasks; Analytics ← Auth, Tasks, Accounting.
        string[] pairs = ["tasks←auth", "accounting←auth", "accounting←tasks", "analytics←accounting", "analytics←auth", "analytics←tasks"];
        foreach (var pair in pairs)
            await Assertions.Expect(Lag(admin, pair)).ToContainTextAsync("up to date");
        // Each lag names its series in Prometheus (a link where Analytics:Prometheus is set).
        await Assertions.Expect(Lag(admin, "accounting←tasks").Locator("[data-test=metric]"))
            .ToHaveTextAsync("ates:consumer_lag{ates_service=\"accounting\",ates_producer=\"tasks\"}");
        await Assertions.Expect(admin.Locator("[data-test=no-dead-letters]")).ToBeVisibleAsync();
        // Every service's readiness (database, messaging and, distributed, its broker connection), as /health/ready answers it.
        foreach (var service in new[] { "auth", "tasks", "accounting", "analytics" })
            await Assertions.Expect(admin.Locator($"[data-service={service}] [data-test=ready]")).ToHaveTextAsync("ready");

        // A broken producer's task.created reaches Accounting and Analytics: each parks it with the reason.
        await system.SendPoisonAsync(Ct);
        var letters = admin.Locator("[data-test=dead-letters] tbody tr");
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (await letters.CountAsync() < 2)
        {
            Assert.True(DateTime.UtcNow < deadline, "both consumers should list the poison event");
            await admin.ReloadAsync();
        }
        await Assertions.Expect(letters).ToHaveCountAsync(2);
        await Assertions.Expect(letters.Filter(new() { HasText = "accounting" })).ToContainTextAsync("task.created");
        await Assertions.Expect(letters.Filter(new() { HasText = "analytics" })).ToContainTextAsync("task.created");
        await Assertions.Expect(admin.Locator("[data-service=analytics]")).ToContainTextAsync("1");
        await system.ScreenshotAsync(admin, "ops");

        // A retry cannot mend a broken event: it stays, with the reason again.
        await letters.Filter(new() { HasText = "analytics" }).Locator("button:has-text('Retry')").ClickAsync();
        await Assertions.Expect(admin.Locator(".notice.ok")).ToContainTextAsync("Retried on analytics: failed again");
        await Assertions.Expect(letters).ToHaveCountAsync(2);

        // Discarded, each is gone: Analytics' own in process, Accounting's through its ops API.
        foreach (var consumer in new[] { "analytics", "accounting" })
        {
            await letters.Filter(new() { HasText = consumer }).Locator("button:has-text('Discard')").ClickAsync();
            await Assertions.Expect(admin.Locator(".notice.ok")).ToContainTextAsync($"Discarded on {consumer}");
        }
        await Assertions.Expect(admin.Locator("[data-test=no-dead-letters]")).ToBeVisibleAsync();

        // Tasks' whole log replayed into Analytics: everything is sent again, the inbox skips it, nothing falls behind.
        await Lag(admin, "analytics←tasks").Locator("button:has-text('Replay')").ClickAsync();
        await Assertions.Expect(admin.Locator(".notice.ok")).ToContainTextAsync(ReplayedNotice());
        await system.SettledAsync(Ct);

        // Nobody else sees the page.
        var manager = await system.SignInAsync("manager@popug.inc", "/tasks/");
        Assert.Equal(403, (await manager.GotoAsync("/analytics/ops"))!.Status);
    }

    static ILocator Lag(IPage page, string pair)
    {
        var (consumer, producer) = (pair.Split('←')[0], pair.Split('←')[1]);
        return page.Locator($"[data-test=lags] tr[data-consumer={consumer}][data-producer={producer}]");
    }

    [GeneratedRegex(@"tasks replayed [1-9]\d* event\(s\) from sequence 0 into analytics")]
    private static partial Regex ReplayedNotice();
}

public sealed class EmbeddedOpsTests(EmbeddedSystem system) : OpsTests(system);

public sealed class DistributedOpsTests(DistributedSystem system) : OpsTests(system);
