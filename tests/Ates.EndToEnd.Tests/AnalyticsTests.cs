using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;

namespace Ates.EndToEnd.Tests;

/// <summary>The admins' dashboard in Chromium, and its rebuild replaying every producer's log through the gateway.</summary>
public abstract class AnalyticsTests(SystemUnderTest system)
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_admin_sees_the_dashboard_rebuilds_it_and_gets_the_same_numbers_and_others_are_refused()
    {
        // Some money moved today: a task created (fee) and completed (reward).
        using var manager = await system.ApiAsync("manager@popug.inc");
        using var created = await manager.PostAsync("/tasks/api/tasks", JsonContent.Create(new { title = "Count the feathers" }), Ct);
        var task = await created.Content.ReadFromJsonAsync<JsonElement>(Ct);
        var email = (await system.EmailsAsync())[task.GetProperty("assignee_id").GetGuid()];
        using (var worker = await system.ApiAsync(email))
            Assert.True((await worker.PostAsync($"/tasks/api/tasks/{task.GetProperty("id").GetGuid()}/complete", null, Ct)).IsSuccessStatusCode);

        // Analytics, fed only by events, agrees with Accounting on today's management earnings once the reward is in.
        using var adminApi = await system.ApiAsync("admin@popug.inc");
        using var assignee = await system.ApiAsync(email);
        JsonElement before = default;
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            Assert.True(DateTime.UtcNow < deadline, $"Analytics and Accounting never agreed after the reward: {before}");
            var log = await assignee.GetFromJsonAsync<JsonElement>("/accounting/api/accounts/me", Ct);
            var accounting = await adminApi.GetFromJsonAsync<JsonElement>("/accounting/api/earnings", Ct);
            before = await adminApi.GetFromJsonAsync<JsonElement>("/analytics/api/today", Ct);
            if (log.ToString().Contains("reward", StringComparison.Ordinal) && log.ToString().Contains("Count the feathers", StringComparison.Ordinal)
                && accounting.GetProperty("today").GetString() == before.GetProperty("day").GetString()
                && accounting.GetProperty("management_earnings_today").GetDecimal() == before.GetProperty("management_earnings").GetDecimal())
                break;
            await Task.Delay(200, Ct); // polling two APIs until they agree
        }

        var admin = await system.SignInAsync("admin@popug.inc", "/analytics/");
        await Assertions.Expect(admin.Locator("[data-test=earnings-today]")).ToBeVisibleAsync();
        await system.ScreenshotAsync(admin, "analytics-dashboard");
        // The menu leads where the gateway serves each page, whatever a service's own settings say for running alone.
        Assert.Equal(["/tasks/", "/accounting/", "/analytics/", "/auth/admin/users", "/analytics/ops"],
            await admin.Locator("header.top nav a").EvaluateAllAsync<string[]>("links => links.map(a => a.getAttribute('href'))"));

        // Rebuild from the page: the admin's session token goes to each producer's log through the gateway.
        await admin.GotoAsync("/analytics/rebuild");
        admin.Dialog += (_, dialog) => dialog.AcceptAsync();
        await admin.CheckAsync("input[name=confirm]");
        await admin.ClickAsync("button:has-text('Rebuild')");
        await Assertions.Expect(admin.Locator("h2").First).ToHaveTextAsync("Last rebuild: done", new() { Timeout = 60_000 });
        await system.ScreenshotAsync(admin, "analytics-rebuild");
        var after = await adminApi.GetFromJsonAsync<JsonElement>("/analytics/api/today", Ct);
        Assert.Equal(before.ToString(), after.ToString());

        // Everyone else is refused.
        foreach (var who in new[] { "worker1@popug.inc", "manager@popug.inc", "accountant@popug.inc" })
        {
            var page = await system.SignInAsync(who, "/tasks/");
            var response = await page.GotoAsync("/analytics/");
            Assert.Equal(403, response!.Status);
            using var api = await system.ApiAsync(who);
            Assert.Equal(System.Net.HttpStatusCode.Forbidden, (await api.GetAsync("/analytics/api/today", Ct)).StatusCode);
        }
    }
}

public sealed class EmbeddedAnalyticsTests(EmbeddedSystem system) : AnalyticsTests(system);

public sealed class DistributedAnalyticsTests(DistributedSystem system) : AnalyticsTests(system);
