using System.Text.Json;
using Spectre.Console;

namespace Ates.Bench;

/// <summary>The report as a table on the console and as JSON.</summary>
public static class ReportTable
{
    public static void Write(BenchReport r)
    {
        var table = new Table().Title($"A working day, {r.Options.TopologyLabel()}: {r.Options.Popugs} popugs created ({r.PopugsAssignable} assignable), " +
                                      $"{r.Options.Tasks} tasks, {r.Options.Shuffles} shuffles ({r.Day.Reassigned} reassignments)")
            .AddColumn("figure").AddColumn(new TableColumn("value").RightAligned()).AddColumn(new TableColumn("ceiling").RightAligned())
            .AddColumn(new TableColumn("of ceiling").RightAligned());
        var c = r.Ceilings;
        table.AddRow("tasks settled in Accounting per second", $"{r.Day.TasksSettledPerSecond:F1}", "", "");
        if (r.Day.BacklogSettledPerSecond is { } backlog)
            table.AddRow("  Accounting's own pace: tasks settled per second from its resume", $"{backlog:F1}", "", "");
        if (r.Day.Fault is { } fault)
            table.AddRow($"fault {fault.Fault}: {fault.How} ({fault.InjectSeconds:F1} s)", $"{fault.InFlight} {fault.InFlightWhat}", "", "");
        table.AddRow("  created (s) / completed (s) / all settled (s)", $"{r.Day.CreateSeconds:F1} / {r.Day.CompleteSeconds:F1} / {r.Day.SettleSeconds:F1}", "", "");
        table.AddRow($"completion → credit, p50 / p95 / p99 / max (ms, {r.CreditLatency.Samples} samples)",
            $"{r.CreditLatency.P50Ms:F0} / {r.CreditLatency.P95Ms:F0} / {r.CreditLatency.P99Ms:F0} / {r.CreditLatency.MaxMs:F0}", "", "");
        table.AddRow("  task.completed: commit → published / published → handled, p50 / p95 (ms)",
            $"{r.CreditLatency.Relay.P50Ms:F0} / {r.CreditLatency.Relay.P95Ms:F0}  ·  {r.CreditLatency.Delivery.P50Ms:F0} / {r.CreditLatency.Delivery.P95Ms:F0}", "", "");
        table.AddRow("  transaction.applied: commit → published, p50 / p95 (ms; Accounting's one active relay)",
            $"{r.CreditLatency.AccountingRelay.P50Ms:F0} / {r.CreditLatency.AccountingRelay.P95Ms:F0}", "", "");
        table.AddRow("  CPU per settled task (ms; the system's processes, day start to all settled)", $"{r.Day.CpuMsPerTask:F2}", "", "");
        if (r.Day.CpuMsPerTaskByProcess.Count > 0)
            table.AddRow("    by process (ms)", string.Join(" · ", r.Day.CpuMsPerTaskByProcess.OrderByDescending(p => p.Value).Select(p => $"{p.Key} {p.Value:F2}")), "", "");
        table.AddRow("day close → paid out (s)", $"{r.Day.DayCloseSeconds:F2}", "", "");
        table.AddRow("events published per second (all producers)", $"{r.Traffic.PublishedPerSecond:F0}",
            c is null ? "" : $"{c.Rabbit.PerSecond:F0} raw RabbitMQ", c is null ? "" : $"{c.EventsOfRabbit:P1}");
        table.AddRow("deliveries handled per second (all consumers)", $"{r.Traffic.HandledPerSecond:F0}", "", "");
        table.AddRow("ledger postings per second (Accounting)", $"{r.Traffic.PostingsPerSecond:F0}",
            c is null ? "" : $"{c.Inserts.PerSecond:F0} raw inserts", c is null ? "" : $"{c.PostingsOfInserts:P1}");
        foreach (var (name, mib) in r.PeakMemoryMib) table.AddRow($"peak memory (VmHWM), {name}", $"{mib:F0} MiB", "", "");
        table.AddRow("end state", r.Check.Passed ? "[green]correct[/]" : $"[red]{r.Check.Failures.Count} failures[/]",
            $"{r.Check.Rewards} rewards, {r.Check.Fees} fees, {r.Check.Payouts} payouts", "");
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLineInterpolated($"[grey]{r.Machine}; {r.RunAt:yyyy-MM-dd HH:mm} UTC[/]");
    }

    public static string Json(BenchReport report) => JsonSerializer.Serialize(report, Options);

    public static string Json(RateReport report) => JsonSerializer.Serialize(report, Options);

    public static string Json(DaysReport report) => JsonSerializer.Serialize(report, Options);

    static readonly JsonSerializerOptions Options = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
}
