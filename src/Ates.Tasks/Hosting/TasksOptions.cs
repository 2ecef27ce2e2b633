using Ates.ServiceDefaults.Hosting;

namespace Ates.Tasks.Hosting;

/// <summary>The "Tasks" configuration section.</summary>
public sealed class TasksOptions : SignedInServiceOptions
{
    public TasksOptions() => Database = "sqlite:data/tasks.db";

    /// <summary>The time zone (IANA id) whose calendar days are the billing days; UTC by default.</summary>
    public string TimeZone { get; set; } = "UTC";

    public DayCloseOptions DayClose { get; set; } = new();

    /// <summary>Open tasks a shuffle reassigns per transaction.</summary>
    public int ShuffleChunkSize { get; set; } = 500;

    /// <summary>The most task writes of requests that one turn of the task log lock commits together (<see cref="Data.TaskWriter"/>).</summary>
    public int WriteTurnSize { get; set; } = 64;
}

public sealed class DayCloseOptions
{
    /// <summary>When to close the days that have ended (cron, in <see cref="TasksOptions.TimeZone"/>); empty: only by hand.</summary>
    public string Schedule { get; set; } = "0 0 * * *";
}
