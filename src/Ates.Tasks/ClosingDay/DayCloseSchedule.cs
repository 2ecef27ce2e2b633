using Ates.ServiceDefaults.Hosting;
using Ates.Tasks.Hosting;
using Cronos;

namespace Ates.Tasks.ClosingDay;

/// <summary>
/// At each occurrence of the schedule (midnight by default, in the configured time zone) closes the days that have
/// ended; at start-up it catches up on days that ended while the service was down. Time comes from TimeProvider.
/// </summary>
public sealed class DayCloseSchedule(IServiceScopeFactory scopes, TimeProvider time, BillingCalendar days, TasksOptions options,
    ILogger<DayCloseSchedule> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(options.DayClose.Schedule)) return;
        var schedule = CronExpression.Parse(options.DayClose.Schedule);
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                foreach (var day in await scope.ServiceProvider.GetRequiredService<DayCloser>().CloseEndedDaysAsync(ct))
                    log.LogInformation("Closed {Day}: {Count} task events up to sequence {Sequence}", day.Day, day.TaskEvents, day.LastSequence);
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                log.LogError(e, "Closing the ended days failed; trying again in a minute");
                await Task.Delay(TimeSpan.FromMinutes(1), time, ct);
                continue;
            }
            var now = time.GetUtcNow();
            var next = schedule.GetNextOccurrence(now, days.Zone) ?? now.AddDays(1);
            await Task.Delay(next - now, time, ct);
        }
    }
}
