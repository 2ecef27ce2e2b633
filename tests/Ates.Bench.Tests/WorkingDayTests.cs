using Ates.Accounting.Ledger;
using Ates.Contracts;
using Microsoft.EntityFrameworkCore;

namespace Ates.Bench.Tests;

public sealed class WorkingDayTests
{
    static readonly BenchOptions TinyDay = new()
    {
        Topology = "embedded", Popugs = 3, Tasks = 30, Shuffles = 1, Concurrency = 4, CeilingMessages = 0, Patience = TimeSpan.FromMinutes(2),
    };

    [Fact]
    public async Task A_tiny_day_on_the_embedded_host_settles_every_task_and_the_money_checks_out()
    {
        var report = await Bench.RunAsync(TinyDay, new DayProgress(), TextWriter.Null, TestContext.Current.CancellationToken);

        Assert.True(report.Check.Passed, string.Join("\n", report.Check.Failures));
        Assert.Equal(30, report.Check.Rewards);
        Assert.Equal(30 + report.Day.Reassigned, report.Check.Fees);
        Assert.True(report.Day.Reassigned >= 15, "the shuffle after half the creations reassigns every open task");
        Assert.True(report.Check.Payouts > 0, "someone earned more than their fees on a day where every task is done");
        Assert.Equal(30, report.CreditLatency.Samples);
        Assert.True(report.Day.TasksSettledPerSecond > 0);
        Assert.True(report.PeakMemoryMib.Single().Value > 10);
        Assert.True(report.Traffic.Postings >= 30 + report.Day.Reassigned);
    }

    [Fact]
    public async Task The_check_fails_when_a_ledger_entry_is_missing()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var ates = await EmbeddedAtes.StartAsync(Topology.Topology.RepositoryRoot(), Bench.Configuration, "beak-check-1234", TextWriter.Null, ct);
        using var api = new AtesApi(ates.Url, "beak-check-1234");
        var day = await new WorkingDay(api, ates, TinyDay with { Tasks = 10, Shuffles = 0 }, new DayProgress()).RunAsync(ct);
        Assert.True((await EndState.VerifyAsync(ates, day, ct)).Passed);

        // The company's side of one reward goes missing.
        await using (var accounting = Books.Accounting(ates))
        {
            var reward = await accounting.Transactions.FirstAsync(t => t.Kind == TransactionKind.Reward, ct);
            await accounting.Entries.Where(e => e.TransactionId == reward.Id && e.AccountId == Account.CompanyId).ExecuteDeleteAsync(ct);
        }

        var check = await EndState.VerifyAsync(ates, day, ct);
        Assert.False(check.Passed);
        Assert.Contains(check.Failures, f => f.StartsWith("The ledger sums to", StringComparison.Ordinal));
    }
}
