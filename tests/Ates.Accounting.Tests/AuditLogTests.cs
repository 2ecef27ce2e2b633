using Ates.Accounting.Accounts;
using Ates.Accounting.TestHost;
using Ates.Contracts;
using Ates.Messaging.Envelope;
using Microsoft.Extensions.DependencyInjection;

namespace Ates.Accounting.Tests;

/// <summary>The audit log comes a page at a time, newest first, and no movement is left out or shown twice.</summary>
public sealed class AuditLogTests
{
    [Fact]
    public async Task The_audit_log_pages_through_every_movement_newest_first()
    {
        var script = new EventScript(AccountingApp.Start);
        var worker = Guid.Parse("30000000-0000-0000-0000-000000000001");
        List<EventEnvelope> events = [script.User(worker, "Paged Worker", UserRole.Worker)];
        var tasks = Enumerable.Range(1, AccountQueries.LogPageSize + 30).Select(i => Guid.Parse($"40000000-0000-0000-0000-{i:D12}")).ToList();
        foreach (var task in tasks) events.AddRange([script.Created(task, $"Task {task}", 10, 20), script.Assigned(task, worker)]);
        await using var app = new AccountingApp();
        foreach (var (task, prices) in script.Prices) app.Prices.Prices[task] = prices;
        await app.DeliverAsync(events, batch: 50);

        await using var scope = app.Services.CreateAsyncScope();
        var queries = scope.ServiceProvider.GetRequiredService<AccountQueries>();
        var first = await queries.AccountAsync(worker, 1, TestContext.Current.CancellationToken);
        var second = await queries.AccountAsync(worker, 2, TestContext.Current.CancellationToken);
        var beyond = await queries.AccountAsync(worker, 3, TestContext.Current.CancellationToken);

        Assert.Equal((AccountQueries.LogPageSize, true), (first.Log.Count, first.HasOlder));
        Assert.Equal((30, false), (second.Log.Count, second.HasOlder));
        Assert.Empty(beyond.Log);
        var all = first.Log.Concat(second.Log).ToList();
        Assert.Equal(tasks.Order(), all.Select(m => m.TaskId!.Value).Order());
        Assert.Equal(all.OrderByDescending(m => m.At).ThenByDescending(m => m.TransactionId).Select(m => m.TransactionId), all.Select(m => m.TransactionId));
        Assert.Equal(-10m * tasks.Count, first.Balance);
    }
}
