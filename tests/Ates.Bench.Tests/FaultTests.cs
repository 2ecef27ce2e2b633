namespace Ates.Bench.Tests;

/// <summary>
/// The distributed topology under each fault of <see cref="Fault.Names"/>, injected as Accounting works through a
/// small working day's events: the day still settles, closes and passes the end-state check (every reward and fee
/// once, the ledger balanced, one payout per positive balance).
/// </summary>
public sealed class FaultTests
{
    [Theory]
    [InlineData("broker-restart")]
    [InlineData("database-restart")]
    [InlineData("kill-accounting")]
    [InlineData("kill-tasks")]
    public async Task A_day_with_a_fault_in_flight_loses_nothing_and_doubles_nothing(string fault)
    {
        var ct = TestContext.Current.CancellationToken;
        var options = BenchOptions.Parse(["--topology", "distributed", "--popugs", "5", "--tasks", "300", "--shuffles", "1", "--ceiling", "0",
            "--patience", "3", "--fault", fault]);
        const string password = "beak-fault-1234";
        await using var ates = await DistributedAtes.StartAsync(Topology.Topology.RepositoryRoot(), Bench.Configuration, password, TextWriter.Null, ct,
            options.Instances!.Value);

        var (report, _) = await Bench.PlayAsync(ates, password, options, new DayProgress(), ct);

        Assert.True(report.Check.Passed, string.Join("\n", report.Check.Failures));
        Assert.Equal(300, report.Check.Rewards);
        Assert.Equal(300 + report.Day.Reassigned, report.Check.Fees);
        // The CPU is told per process: each service that worked on the day used some, the restarted one too.
        foreach (var service in new[] { "tasks", "analytics", "gateway" })
            Assert.True(report.Day.CpuMsPerTaskByProcess.GetValueOrDefault(service) > 0, $"{service}'s CPU should be in {string.Join(", ", report.Day.CpuMsPerTaskByProcess.Keys)}");
        var injected = report.Day.Fault!;
        Assert.Equal(fault, injected.Fault);
        // The fault hit events in flight: Accounting had just been resumed on the whole day (or Tasks had not published).
        Assert.True(injected.InFlight > 0, $"{fault} found nothing in flight: {injected}");
    }
}
