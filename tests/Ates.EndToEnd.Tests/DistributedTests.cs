using System.Net.Http.Json;
using System.Text.Json;
using Ates.Testing;
using Microsoft.Playwright;

namespace Ates.EndToEnd.Tests;

/// <summary>
/// The distributed topology as scripts/distributed.sh starts it — every service its own process on PostgreSQL and
/// RabbitMQ, two Accounting instances, the gateway — driven through the same pages in Chromium.
/// </summary>
public sealed class DistributedTests(SystemFixture system) : IAsyncLifetime
{
    readonly string _url = $"http://localhost:{FreePort.Next()}";
    readonly StringWriter _log = new();
    Topology.Topology _topology = null!;
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() =>
        _topology = await Topology.Topology.StartAsync(SystemFixture.RepositoryRoot(), _url, TextWriter.Synchronized(_log), Ct, SystemFixture.Password);

    public async ValueTask DisposeAsync() => await _topology.DisposeAsync();

    [Fact]
    public async Task A_worker_completes_a_task_in_the_browser_and_sees_the_reward_over_rabbitmq()
    {
        // A task through the gateway, once Tasks has learned the workers from Auth's events on the broker.
        using var manager = await system.ApiAsync("manager@popug.inc", _url);
        JsonElement task = default;
        await Eventually.UntilAsync(async () =>
        {
            using var created = await manager.PostAsync("/tasks/api/tasks", JsonContent.Create(new { title = "Carry the mail" }), Ct);
            if (!created.IsSuccessStatusCode) return false;
            task = await created.Content.ReadFromJsonAsync<JsonElement>(Ct);
            return true;
        }, TimeSpan.FromSeconds(60), "Tasks should accept a task once it knows the workers", Ct);
        var email = (await system.EmailsAsync(_url))[task.GetProperty("assignee_id").GetGuid()];

        var worker = await system.SignInAsync(email, "/tasks/mine", _url);
        await worker.Locator("tr", new() { HasText = "Carry the mail" }).Locator("button:has-text('Done')").ClickAsync();
        await Assertions.Expect(worker.Locator(".notice.ok")).ToContainTextAsync("Done: “Carry the mail”");

        await worker.GotoAsync("/accounting/me"); // own account: the assignee may be the accountant, whose "/" is the dashboard
        await MoneyTests.ReloadUntilAsync(worker, worker.Locator("main"), "reward");
        await Assertions.Expect(worker.Locator("main")).ToContainTextAsync("assign fee");
        await system.ScreenshotAsync(worker, "distributed-accounting-worker");
    }
}
