using Ates.Accounting.Hosting;

namespace Ates.Accounting.Billing.ClosingDay;

/// <summary>Now and then closes what is due, should a check after a commit have failed, and notes a day that waits (its metric).</summary>
public sealed class DayCloseWatch(IServiceScopeFactory scopes, AccountingOptions options, TimeProvider time, ILogger<DayCloseWatch> log)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        DayCloseMetrics.Publish();
        while (!ct.IsCancellationRequested)
        {
            try { await Task.Delay(options.DayCloseCheckInterval, time, ct); }
            catch (OperationCanceledException) { return; }
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var closer = scope.ServiceProvider.GetRequiredService<BillingDayCloser>();
                await closer.CloseDueDaysAsync(ct);
                if (DayCloseMetrics.Observed) DayCloseMetrics.RecordWaiting(await closer.WaitingAsync(ct), time.GetUtcNow().UtcDateTime);
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                log.LogWarning(e, "Checking for a day to close failed; trying again in {Interval}", options.DayCloseCheckInterval);
            }
        }
    }
}
