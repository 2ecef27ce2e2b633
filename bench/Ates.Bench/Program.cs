// A working day at UberPopug Inc. through the public APIs, with its figures beside the raw ceilings and a check of
// the money afterwards. Exit code 1 when the end state is wrong, 2 when the day could not be played.
//   dotnet run -c Release --project bench/Ates.Bench -- --topology embedded|distributed --popugs 100 --tasks 10000
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
AnsiConsole.MarkupLine($"A working day on the [bold]{options.Topology}[/] topology: {options.Popugs} popugs, {options.Tasks} tasks, " +
    $"{options.Shuffles} shuffles, {options.Concurrency} at a time. Services' output: {logFile}");

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
