// A working day at UberPopug Inc. through the public APIs, with its figures beside the raw ceilings and a check of
// the money afterwards. Exit code 1 when the end state is wrong, 2 when the day could not be played.
//   dotnet run -c Release --project bench/Ates.Bench -- --topology embedded|distributed --popugs 100 --tasks 10000
//   dotnet run -c Release --project bench/Ates.Bench -- --topology embedded --find-rate 20   (open loop: the highest rate that holds)
//   dotnet run -c Release --project bench/Ates.Bench -- --topology embedded --days 30 --tasks 1000   (days in a row)
using Ates.Bench;
using Spectre.Console;

BenchOptions options;
try { options = BenchOptions.Parse(args); }
catch (Exception e) when (e is ArgumentException or FormatException)
{
    Console.Error.WriteLine($"{e.Message}\n{BenchOptions.Usage}");
    return 2;
}

// Redirected to a file, the table keeps its lines whole.
if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = 160;
var logFile = Path.Combine(Path.GetTempPath(), $"ates-bench-{DateTime.UtcNow:yyyyMMdd-HHmmss}.log");
await using var log = TextWriter.Synchronized(new StreamWriter(logFile) { AutoFlush = true });
AnsiConsole.MarkupLine(options.OpenLoop
    ? $"Open loop on the [bold]{options.TopologyLabel()}[/] topology: {options.Popugs} popugs. Services' output: {logFile}"
    : $"A working day on the [bold]{options.TopologyLabel()}[/] topology: {options.Popugs} popugs, {options.Tasks} tasks, " +
      $"{options.Shuffles} shuffles, {options.Concurrency} at a time. Services' output: {logFile}");

if (options.OpenLoop)
{
    AnsiConsole.MarkupLine(options.FindRateFrom is { } from
        ? $"Open loop: the highest rate from {from}/s whose p99 completion → credit stays within {options.P99BoundMs} ms, {options.Step.TotalSeconds} s a rate."
        : $"Open loop: {options.Rate}/s for {options.Duration.TotalSeconds} s.");
    RateReport rates;
    try
    {
        rates = await Bench.RunOpenLoopAsync(options, step =>
        {
            AnsiConsole.MarkupLineInterpolated(
                $"  {step.Rate:F0}/s: {step.Arrived} arrived in {step.Seconds:F1} s ({step.AchievedPerSecond:F1}/s), {step.Credited} credited, p50 {step.P50Ms:F0} ms, p99 {step.P99Ms:F0} ms (relay {step.RelayP99Ms:F0}, delivery {step.DeliveryP99Ms:F0}), max {step.MaxMs:F0} ms, CPU {step.CpuMsPerTask:F2} ms a task{(step.Holds(options.P99BoundMs) ? "" : " — does not hold")}");
            foreach (var w in step.SlowWindows)
                AnsiConsole.MarkupLineInterpolated($"    from {w.FromSecond} s: {w.Completions} completions, slowest credit {w.MaxMs:F0} ms (relay {w.MaxRelayMs:F0}, delivery {w.MaxDeliveryMs:F0})");
        }, log, CancellationToken.None);
    }
    catch (Exception e)
    {
        AnsiConsole.MarkupLineInterpolated($"[red]The load could not be played:[/] {e.Message}");
        Console.Error.WriteLine(e);
        return 2;
    }
    if (rates.HighestHeldRate is { } highest) AnsiConsole.MarkupLineInterpolated($"[bold]Highest rate that holds: {highest:F0} tasks/s[/]");
    AnsiConsole.MarkupLineInterpolated($"End state: {(rates.Check.Passed ? "correct" : $"{rates.Check.Failures.Count} failures")} ({rates.Check.Rewards} rewards, {rates.Check.Fees} fees, {rates.Check.Payouts} payouts)");
    if (options.Json is { } rateJson) await File.WriteAllTextAsync(rateJson, ReportTable.Json(rates));
    foreach (var failure in rates.Check.Failures) AnsiConsole.MarkupLineInterpolated($"  [red]{failure}[/]");
    return rates.Check.Passed ? 0 : 1;
}

if (options.Days > 1)
{
    DaysReport days;
    try
    {
        days = await WorkingDays.RunAsync(options, day => AnsiConsole.MarkupLineInterpolated(
            $"  day {day.Number} ({day.Day:yyyy-MM-dd}): {day.TasksSettledPerSecond:F1} tasks settled/s, close → paid out {day.DayCloseSeconds:F2} s, accounts {day.AccountsMs:F1} ms, earnings {day.EarningsMs:F1} ms, end state {(day.Correct ? "correct" : $"{day.Failures.Count} failures")}"),
            log, CancellationToken.None);
    }
    catch (Exception e)
    {
        AnsiConsole.MarkupLineInterpolated($"[red]The days could not be played:[/] {e.Message}");
        Console.Error.WriteLine(e);
        return 2;
    }
    if (options.Json is { } daysJson) await File.WriteAllTextAsync(daysJson, ReportTable.Json(days));
    foreach (var failure in days.Days.SelectMany(d => d.Failures)) AnsiConsole.MarkupLineInterpolated($"  [red]{failure}[/]");
    return days.Passed ? 0 : 1;
}

var progress = new DayProgress();
BenchReport report;
try
{
    report = await ProgressBar.ShowAsync(options, progress, () => Bench.RunAsync(options, progress, log, CancellationToken.None));
}
catch (Exception e)
{
    AnsiConsole.MarkupLineInterpolated($"[red]The day could not be played:[/] {e.Message}");
    Console.Error.WriteLine(e);
    return 2;
}

ReportTable.Write(report);
if (options.Json is { } json) await File.WriteAllTextAsync(json, ReportTable.Json(report));
if (report.Check.Passed) return 0;
AnsiConsole.MarkupLine("[red]The end state is wrong:[/]");
foreach (var failure in report.Check.Failures) AnsiConsole.MarkupLineInterpolated($"  {failure}");
return 1;
