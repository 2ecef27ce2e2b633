using System.Text.Json;

namespace Ates.Bench.Tests;

public sealed class BenchOptionsTests
{
    [Fact]
    public void The_defaults_play_one_day_on_the_embedded_host_with_no_instances_or_delay()
    {
        var options = BenchOptions.Parse([]);

        Assert.Equal(("embedded", 100, 10_000, 3, 16, 1), (options.Topology, options.Popugs, options.Tasks, options.Shuffles, options.Concurrency, options.Days));
        Assert.Null(options.Instances);
        Assert.Null(options.DbDelayMs);
        Assert.Equal("embedded", options.TopologyLabel());
    }

    [Fact]
    public void The_existing_options_parse_as_before()
    {
        var options = BenchOptions.Parse(["--popugs", "7", "--tasks", "500", "--shuffles", "0", "--concurrency", "0", "--days", "3", "--ceiling", "0",
            "--json", "day.json", "--patience", "5", "--rate", "2.5"]);

        Assert.Equal((7, 500, 0, 1, 3, 0, "day.json", TimeSpan.FromMinutes(5), 2.5),
            (options.Popugs, options.Tasks, options.Shuffles, options.Concurrency, options.Days, options.CeilingMessages, options.Json, options.Patience, options.Rate));
        Assert.True(options.OpenLoop);
    }

    [Fact]
    public void The_distributed_topology_has_two_accounting_instances_and_a_direct_database_unless_told_otherwise()
    {
        var options = BenchOptions.Parse(["--topology", "distributed"]);

        Assert.Equal(2, options.Instances);
        Assert.Null(options.DbDelayMs);
        Assert.Equal("distributed (2 Accounting instances)", options.TopologyLabel());
    }

    [Fact]
    public void A_fault_implies_the_backlog_and_names_itself_in_the_label()
    {
        var options = BenchOptions.Parse(["--topology", "distributed", "--fault", "kill-accounting"]);

        Assert.Equal(("kill-accounting", true), (options.Fault, options.Backlog));
        Assert.Equal("distributed (2 Accounting instances, Accounting paused until the completions, fault: kill-accounting)", options.TopologyLabel());
    }

    [Theory]
    [InlineData(new[] { "--topology", "distributed", "--instances", "4", "--db-delay", "1.5" }, 4, 1.5)]
    [InlineData(new[] { "--instances", "1", "--db-delay", "0", "--topology", "distributed" }, 1, 0.0)]
    [InlineData(new[] { "--topology", "distributed", "--instances", "8" }, 8, null)]
    public void Instances_and_a_database_delay_are_read_for_the_distributed_topology_in_any_order(string[] args, int instances, double? delayMs)
    {
        var options = BenchOptions.Parse(args);

        Assert.Equal(("distributed", instances, delayMs), (options.Topology, options.Instances, options.DbDelayMs));
    }

    [Theory]
    [InlineData(new[] { "--topology", "distributed", "--instances", "0" }, "--instances is 1 to 8.")]
    [InlineData(new[] { "--topology", "distributed", "--instances", "9" }, "--instances is 1 to 8.")]
    [InlineData(new[] { "--topology", "distributed", "--db-delay", "-1" }, "--db-delay is 0 to 1000 ms.")]
    [InlineData(new[] { "--topology", "distributed", "--db-delay", "1001" }, "--db-delay is 0 to 1000 ms.")]
    [InlineData(new[] { "--topology", "distributed", "--db-delay", "NaN" }, "--db-delay is 0 to 1000 ms.")]
    [InlineData(new[] { "--instances", "3" }, "--instances, --db-delay, --backlog and --fault apply to --topology distributed only.")]
    [InlineData(new[] { "--db-delay", "1", "--topology", "embedded" }, "--instances, --db-delay, --backlog and --fault apply to --topology distributed only.")]
    [InlineData(new[] { "--backlog" }, "--instances, --db-delay, --backlog and --fault apply to --topology distributed only.")]
    [InlineData(new[] { "--fault", "kill-tasks" }, "--instances, --db-delay, --backlog and --fault apply to --topology distributed only.")]
    [InlineData(new[] { "--topology", "distributed", "--fault", "meteor" }, "--fault is one of broker-restart, database-restart, kill-accounting, kill-tasks, not meteor.")]
    [InlineData(new[] { "--topology", "distributed", "--instances" }, "--instances needs a value.")]
    public void Instances_and_a_database_delay_outside_their_range_or_topology_are_refused(string[] args, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => BenchOptions.Parse(args));

        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void A_bad_number_is_a_format_error_as_for_the_other_options() =>
        Assert.Throws<FormatException>(() => BenchOptions.Parse(["--topology", "distributed", "--instances", "three"]));

    [Fact]
    public void The_usage_lists_both_options()
    {
        Assert.Contains("--instances N", BenchOptions.Usage, StringComparison.Ordinal);
        Assert.Contains("--db-delay MS", BenchOptions.Usage, StringComparison.Ordinal);
    }

    [Fact]
    public void The_report_names_the_instances_and_the_delay_in_its_title_and_its_json()
    {
        var options = BenchOptions.Parse(["--topology", "distributed", "--instances", "3", "--db-delay", "1"]);
        var report = new RateReport("test machine", DateTime.UnixEpoch, options, [], null, new EndStateCheck(true, [], 0, 0, 0, 0));

        Assert.Equal("distributed (3 Accounting instances, PostgreSQL 1 ms away each way)", options.TopologyLabel());
        using var json = JsonDocument.Parse(ReportTable.Json(report));
        var written = json.RootElement.GetProperty("options");
        Assert.Equal(3, written.GetProperty("instances").GetInt32());
        Assert.Equal(1, written.GetProperty("db_delay_ms").GetDouble());
    }

    [Fact]
    public void The_backlog_mode_pauses_accounting_on_the_distributed_topology_and_the_title_says_so()
    {
        var options = BenchOptions.Parse(["--topology", "distributed", "--instances", "3", "--db-delay", "1", "--backlog"]);

        Assert.True(options.Backlog);
        Assert.Equal("distributed (3 Accounting instances, PostgreSQL 1 ms away each way, Accounting paused until the completions)", options.TopologyLabel());
        Assert.False(BenchOptions.Parse(["--topology", "distributed"]).Backlog);
    }
}
