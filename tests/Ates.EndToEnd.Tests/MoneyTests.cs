using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Playwright;

namespace Ates.EndToEnd.Tests;

/// <summary>From a task to money: the worker's account shows the fee and the reward, the accountant closes the day, the payout email exists.</summary>
public abstract class MoneyTests(SystemUnderTest system)
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Reloads until the page shows <paramref name="text"/>: events reach Accounting a moment after the click.</summary>
    internal static async Task ReloadUntilAsync(IPage page, ILocator where, string text)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!(await where.InnerTextAsync()).Contains(text, StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, $"the page never showed “{text}”");
            await page.ReloadAsync();
        }
    }

    [Fact]
    public async Task The_worker_sees_fee_and_reward_and_the_accountants_close_pays_out_with_an_email()
    {
        using var manager = await system.ApiAsync("manager@popug.inc");
        using var created = await manager.PostAsync("/tasks/api/tasks",
            new StringContent("""{"title":"Feed the chicks","jira_id":"UBERPOP-100"}""", Encoding.UTF8, "application/json"), Ct);
        Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync(Ct));
        var task = await created.Content.ReadFromJsonAsync<JsonElement>(Ct);
        var email = (await system.EmailsAsync())[task.GetProperty("assignee_id").GetGuid()];

        // The assign fee appears in the worker's audit log, with the task's jira id and title.
        // "/me", not "/": the assignee may be the accountant (also eligible), whose "/" is the dashboard.
        var worker = await system.SignInAsync(email, "/accounting/me");
        await ReloadUntilAsync(worker, worker.Locator("main"), "Feed the chicks");
        await Assertions.Expect(worker.Locator("main")).ToContainTextAsync("assign fee");
        await Assertions.Expect(worker.Locator("main")).ToContainTextAsync("UBERPOP-100");

        // Done in the tracker: the reward follows.
        await worker.GotoAsync("/tasks/mine");
        await worker.Locator("tr", new() { HasText = "Feed the chicks" }).Locator("button:has-text('Done')").ClickAsync();
        await Assertions.Expect(worker.Locator(".notice.ok")).ToContainTextAsync("Done");
        await worker.GotoAsync("/accounting/me");
        await ReloadUntilAsync(worker, worker.Locator("main"), "reward");
        await system.ScreenshotAsync(worker, "accounting-worker");

        using var me = await system.ApiAsync(email);
        var account = await me.GetFromJsonAsync<JsonElement>("/accounting/api/accounts/me", Ct);
        var balance = account.GetProperty("balance").GetDecimal();

        // The accountant closes the day from the dashboard; a positive balance is paid out by email.
        var accountant = await system.SignInAsync("accountant@popug.inc", "/accounting/");
        await system.ScreenshotAsync(accountant, "accounting-dashboard");
        await accountant.CheckAsync("input[name=confirm]");
        await accountant.ClickAsync("button:has-text('Close the day')");
        await Assertions.Expect(accountant.Locator(".notice.ok")).ToBeVisibleAsync();

        var mail = system.MailFolder;
        if (balance > 0)
        {
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (!Directory.Exists(mail) || !Directory.GetFiles(mail, "*.eml").Any(f => File.ReadAllText(f).Contains(email, StringComparison.OrdinalIgnoreCase)))
            {
                Assert.True(DateTime.UtcNow < deadline, $"no payout email to {email} in {mail}");
                await Task.Delay(200, Ct); // polling the folder the sender writes to
            }
            var paid = await me.GetFromJsonAsync<JsonElement>("/accounting/api/accounts/me", Ct);
            Assert.Equal(0m, paid.GetProperty("balance").GetDecimal());
        }
        else
        {
            // A reward of 20..40 against a fee of 10..20 leaves a positive balance unless the worker had other fees.
            TestContext.Current.SendDiagnosticMessage($"{email} ended the day at {balance}; no payout due");
        }
    }
}

public sealed class EmbeddedMoneyTests(EmbeddedSystem system) : MoneyTests(system);

public sealed class DistributedMoneyTests(DistributedSystem system) : MoneyTests(system);
