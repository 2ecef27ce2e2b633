using Spectre.Console;

namespace Ates.Bench;

/// <summary>The day's progress as bars, refreshed four times a second from the counters while the run goes on.</summary>
public static class ProgressBar
{
    public static Task<T> ShowAsync<T>(BenchOptions options, DayProgress progress, Func<Task<T>> run) =>
        AnsiConsole.Progress().AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
            .StartAsync(async context =>
            {
                var bars = new (ProgressTask Bar, Func<double> Value)[]
                {
                    (context.AddTask("popugs hired", maxValue: Math.Max(1, options.Popugs)), () => progress.PopugsCreated),
                    (context.AddTask("tasks created", maxValue: Math.Max(1, options.Tasks)), () => progress.TasksCreated),
                    (context.AddTask("shuffles", maxValue: Math.Max(1, options.Shuffles)), () => progress.Shuffles),
                    (context.AddTask("tasks completed", maxValue: Math.Max(1, options.Tasks)), () => progress.TasksCompleted),
                    (context.AddTask("settled in Accounting", maxValue: Math.Max(1, options.Tasks)), () => progress.TasksSettled),
                    (context.AddTask("day closed and paid out", maxValue: 1), () => progress.DayClosed ? 1 : 0),
                };
                var work = run();
                while (!work.IsCompleted)
                {
                    foreach (var (bar, value) in bars) bar.Value = value();
                    await Task.WhenAny(work, Task.Delay(250));
                }
                foreach (var (bar, value) in bars) bar.Value = value();
                return await work;
            });
}
