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
        await scope.ServiceProvider.GetRequiredService<BillingDayCloser>().CloseDueDaysAsync(ct);
    }
}

