using Ates.Contracts;
using Ates.Messaging.Inbox;

namespace Ates.Accounting.Billing.ClosingDay;

/// <summary>
/// After a batch with task events or a marker committed, closes what is due. It runs after the commit, in a scope of
/// its own, so it counts what every instance has committed: whichever instance commits a day's last event or its
/// marker last, its check sees them all. A crash in between is made good at start-up and by <see cref="DayCloseWatch"/>.
/// </summary>
public sealed class DayCloseAfterCommit(IServiceScopeFactory scopes) : IBatchCommitted
{
    public async Task CommittedAsync(IReadOnlyList<object> events, CancellationToken ct)
    {
        if (!events.Any(e => e is TasksDayClosed or TaskCreated or TaskUpdated or TaskAssigned or TaskCompleted)) return;
        await using var scope = scopes.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<DayCloser>().CloseDueDaysAsync(ct);
    }
}

/// <summary>Now and then closes what is due, should a check after a commit have failed.</summary>
public sealed class DayCloseWatch(IServiceScopeFactory scopes, Hosting.AccountingOptions options, TimeProvider time, ILogger<DayCloseWatch> log)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try { await Task.Delay(options.DayCloseCheckInterval, time, ct); }
            catch (OperationCanceledException) { return; }
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<DayCloser>().CloseDueDaysAsync(ct);
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                log.LogWarning(e, "Checking for a day to close failed; trying again in {Interval}", options.DayCloseCheckInterval);
            }
        }
    }
}
