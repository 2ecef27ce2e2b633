using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;

namespace Ates.EndToEnd.Tests;

/// <summary>The task tracker through its pages in Chromium, as each role uses it.</summary>
public abstract class TrackerTests(SystemUnderTest system)
{
    [Fact]
    public async Task A_manager_creates_tasks_and_shuffles_and_a_worker_completes_theirs()
    {
        var manager = await system.SignInAsync("manager@popug.inc");
        foreach (var (title, jira) in new[] { ("Fix the beak", "UBERPOP-42"), ("Polish the perch", ""), ("Count the seeds", "UBERPOP-7") })
        {
            await manager.ClickAsync("text=New task");
            await manager.FillAsync("#title", title);
            await manager.FillAsync("#jira_id", jira);
            await manager.FillAsync("#description", $"{title}, carefully.");
            await manager.ClickAsync("button:has-text('Create task')");
            await Assertions.Expect(manager.Locator(".notice.ok")).ToContainTextAsync($"Created “{title}”");
        }
        var rows = await manager.Locator("tbody tr").CountAsync();
        Assert.True(rows >= 3, $"{rows} rows"); // other tests share the system

        // Brackets in the title come back with the reason, and nothing is created.
        await manager.ClickAsync("text=New task");
        await manager.FillAsync("#title", "[UBERPOP-9] Sharpen the claws");
        await manager.ClickAsync("button:has-text('Create task')");
        await Assertions.Expect(manager.Locator(".notice.error").Last).ToContainTextAsync("jira_id");
        await system.ScreenshotAsync(manager, "tasks-new-refused");
        await manager.GotoAsync("/tasks/");
        await Assertions.Expect(manager.Locator("tbody tr")).ToHaveCountAsync(rows);
        await Assertions.Expect(manager.Locator("tbody")).Not.ToContainTextAsync("Sharpen the claws");

        manager.Dialog += (_, dialog) => dialog.AcceptAsync();
        await manager.ClickAsync("button:has-text('Shuffle open tasks')");
        await Assertions.Expect(manager.Locator(".notice.ok")).ToContainTextAsync("open tasks got a new assignee");
        await system.ScreenshotAsync(manager, "tasks-board");

        // The worker who holds "Fix the beak" sees it under My tasks and marks it done.
        using var api = await system.ApiAsync("manager@popug.inc");
        var tasks = await api.GetFromJsonAsync<JsonElement>("/tasks/api/tasks", TestContext.Current.CancellationToken);
        var fix = tasks.GetProperty("tasks").EnumerateArray().Single(t => t.GetProperty("title").GetString() == "Fix the beak");
        var email = (await system.EmailsAsync())[fix.GetProperty("assignee_id").GetGuid()];
        var worker = await system.SignInAsync(email, "/tasks/mine");
        await Assertions.Expect(worker.Locator("tbody")).ToContainTextAsync("Fix the beak");
        await system.ScreenshotAsync(worker, "tasks-mine");
        await worker.Locator("tr", new() { HasText = "Fix the beak" }).Locator("button:has-text('Done')").ClickAsync();
        await Assertions.Expect(worker.Locator(".notice.ok")).ToContainTextAsync("Done: “Fix the beak”");
        await Assertions.Expect(worker.Locator("tr", new() { HasText = "Fix the beak" })).ToHaveCountAsync(0);

        var done = await api.GetFromJsonAsync<JsonElement>($"/tasks/api/tasks/{fix.GetProperty("id").GetGuid()}", TestContext.Current.CancellationToken);
        Assert.Equal("done", done.GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_worker_sees_only_their_own_pages()
    {
        var worker = await system.SignInAsync("worker9@popug.inc");
        var menu = await worker.Locator("header nav a").AllInnerTextsAsync();
        Assert.Equal(["Tasks", "My account"], menu);
        await Assertions.Expect(worker.Locator("button:has-text('Shuffle open tasks')")).ToHaveCountAsync(0);

        var users = await worker.GotoAsync("/auth/admin/users");
        Assert.Equal(403, users!.Status);
        await Assertions.Expect(worker.Locator("h1")).ToContainTextAsync("Not allowed");
    }

    [Fact]
    public async Task A_deactivated_worker_can_no_longer_sign_in()
    {
        var admin = await system.SignInAsync("admin@popug.inc", "/auth/admin/users");
        await system.ScreenshotAsync(admin, "users-admin");
        var row = admin.Locator("tr", new() { Has = admin.Locator("input[value='worker10@popug.inc']") });
        await row.Locator("button:has-text('Deactivate')").ClickAsync();
        await Assertions.Expect(admin.Locator("p.ok")).ToContainTextAsync("Deactivated");

        var context = await system.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = system.Url });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/tasks/");
        await page.FillAsync("#email", "worker10@popug.inc");
        await page.FillAsync("#password", SystemUnderTest.Password);
        await page.ClickAsync("button[type=submit]");
        await Assertions.Expect(page.Locator(".error")).ToContainTextAsync("deactivated");
        await system.ScreenshotAsync(page, "signin-refused");
        Assert.Contains("/auth/signin", page.Url);
    }
}

public sealed class EmbeddedTrackerTests(EmbeddedSystem system) : TrackerTests(system);

public sealed class DistributedTrackerTests(DistributedSystem system) : TrackerTests(system);
