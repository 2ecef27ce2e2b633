using Ates.Accounting.Ledger;
using Ates.Contracts;
using Microsoft.EntityFrameworkCore;
using Ates.Accounting.Billing;

namespace Ates.Bench.Tests;

public sealed class WorkingDayTests
{
    [Fact]
    public async Task A_tiny_day_on_the_embedded_host_settles_every_task_and_the_check_catches_a_missing_ledger_entry()
    {
        var ct = TestContext.Current.CancellationToken;
        var options = new BenchOptions
        {
            Topology = "embedded", Popugs = 3, Tasks = 30, Shuffles = 1, Concurrency = 4, CeilingMessages = 0, Patience = TimeSpan.FromMinutes(2),
        };
        const string password = "beak-check-1234";
        await using var ates = await EmbeddedAtes.StartAsync(Topology.Topology.RepositoryRoot(), Bench.Configuration, password, TextWriter.Null, ct);

        var (report, day) = await Bench.PlayAsync(ates, password, options, new DayProgress(), ct);

        Assert.True(report.Check.Passed, string.Join("\n", report.Check.Failures));
        Assert.Equal(30, report.Check.Rewards);
        Assert.Equal(30 + report.Day.Reassigned, report.Check.Fees);
        Assert.True(report.Day.Reassigned >= 15, "the shuffle after half the creations reassigns every open task");
        Assert.Equal(30, report.CreditLatency.Samples);
        Assert.True(report.Day.TasksSettledPerSecond > 0);
        Assert.True(report.Day.CpuMsPerTask > 0, "the host used CPU to settle the tasks");
        Assert.True(report.PeakMemoryMib.Single().Value > 10);
        Assert.True(report.Traffic.Postings >= 30 + report.Day.Reassigned);

        // The company's side of one reward goes missing: the same check now fails, and says why.
        await using (var accounting = Books.Accounting(ates))
        {
            var reward = await accounting.Transactions.FirstAsync(t => t.Kind == TransactionKind.Reward, ct);
            await accounting.Entries.Where(e => e.TransactionId == reward.Id && e.AccountId == Account.CompanyId).ExecuteDeleteAsync(ct);
        }
        var check = await EndState.VerifyAsync(ates, day, ct);
        Assert.False(check.Passed);
        Assert.Contains(check.Failures, f => f.StartsWith("The ledger sums to", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_open_loop_on_the_embedded_host_holds_its_rate_credits_every_task_and_passes_the_check()
    {
        var ct = TestContext.Current.CancellationToken;
        var options = new BenchOptions
        {
            Topology = "embedded", Popugs = 3, Rate = 5, Duration = TimeSpan.FromSeconds(4), CeilingMessages = 0, Patience = TimeSpan.FromMinutes(2),
        };
        const string password = "beak-check-5678";
        await using var ates = await EmbeddedAtes.StartAsync(Topology.Topology.RepositoryRoot(), Bench.Configuration, password, TextWriter.Null, ct);

        var steps = new List<RateStep>();
        var report = await Bench.PlayOpenLoopAsync(ates, password, options, steps.Add, ct);

        Assert.True(report.Check.Passed, string.Join("\n", report.Check.Failures));
        var step = Assert.Single(steps);
        Assert.Equal((20, 20), (step.Arrived, step.Credited));
        Assert.InRange(step.Seconds, 3.5, 60); // arrivals spread over the duration, not fired at once
        Assert.True(step.P50Ms <= step.P99Ms && step.P99Ms <= step.MaxMs);
        // The check counts the ten seconds of warm-up before the hold too: 50 more tasks at 5/s.
        Assert.Equal((70, 70), (report.Check.Rewards, report.Check.Fees));
    }

    [Fact]
    public async Task Days_in_a_row_close_one_after_another_and_each_passes_the_check_over_every_day_so_far()
    {
        var ct = TestContext.Current.CancellationToken;
        var options = new BenchOptions
        {
            Topology = "embedded", Popugs = 3, Tasks = 12, Shuffles = 1, Days = 3, Concurrency = 4, CeilingMessages = 0,
            Patience = TimeSpan.FromMinutes(2),
        };
        const string password = "beak-check-9012";
        await using var ates = await EmbeddedAtes.StartAsync(Topology.Topology.RepositoryRoot(), Bench.Configuration, password, TextWriter.Null, ct);

        var seen = new List<DayRow>();
        var report = await WorkingDays.PlayAsync(ates, password, options, seen.Add, ct);

        Assert.True(report.Passed, string.Join("\n", report.Days.SelectMany(d => d.Failures)));
        Assert.Equal([1, 2, 3], report.Days.Select(d => d.Number));
        Assert.Equal(report.Days, seen);
        // Each close is of the next billing day, and each reads back in the accountant's figures.
        Assert.Equal([report.Days[0].Day, report.Days[0].Day.AddDays(1), report.Days[0].Day.AddDays(2)], report.Days.Select(d => d.Day));
        Assert.All(report.Days, d => Assert.True(d.DayCloseSeconds > 0 && d.AccountsMs > 0 && d.EarningsMs > 0 && d.TasksSettledPerSecond > 0));
        await using var accounting = Books.Accounting(ates);
        Assert.Equal(36, await accounting.Transactions.CountAsync(t => t.Kind == TransactionKind.Reward, ct));
        Assert.Equal(3, await accounting.Days.CountAsync(d => d.IsClosed, ct));
    }
}
