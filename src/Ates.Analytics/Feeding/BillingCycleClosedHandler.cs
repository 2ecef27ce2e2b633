using Ates.Analytics.Data;
using Ates.Analytics.Reports;
using Ates.Contracts;
using Ates.Messaging.Inbox;

namespace Ates.Analytics.Feeding;

/// <summary>Records Accounting's own figures for a closed day; the history shows them beside Analytics' sums.</summary>
public sealed class BillingCycleClosedHandler(AnalyticsDb db, FedGenerations generations) : IEventHandler<BillingCycleClosed>
{
    public async Task HandleAsync(BillingCycleClosed @event, EventContext context, CancellationToken ct)
    {
        foreach (var generation in await generations.AllAsync(ct))
        {
            var day = await db.Set<ClosedDayFact>().FindAsync([generation, @event.Day], ct);
            if (day is null) db.Set<ClosedDayFact>().Add(day = new ClosedDayFact { Generation = generation, Day = @event.Day });
            // A day closes once; a repeat carries the same figures, so taking the last one is harmless.
            day.ManagementEarningsCents = Money.ToCents(@event.ManagementEarnings);
            day.PayoutsCents = Money.ToCents(@event.PayoutsTotal);
            day.AccountsInNegative = @event.AccountsInNegative;
        }
    }
}
