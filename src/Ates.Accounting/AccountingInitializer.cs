using Ates.Accounting.Billing;
using Ates.Accounting.Billing.ClosingDay;
using Ates.Accounting.Data;
using Ates.Accounting.Ledger;
using Ates.ServiceDefaults.Hosting;
using Ates.ServiceDefaults.Schema;
using Microsoft.EntityFrameworkCore;

namespace Ates.Accounting;

/// <summary>
/// Runs once the schema is ready, before the relay and the consumer start: creates the company's account and
/// the open day, and finishes any close whose marker and task events are all in (e.g. after a crash).
/// </summary>
public sealed class AccountingInitializer(IServiceProvider services) : IServicePreparation
{
    public async Task PrepareAsync(CancellationToken ct)
    {
        // Another instance starting at the same time may create the open day first: then try again on its state.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await PrepareOnceAsync(ct);
                return;
            }
            catch (DbUpdateException) when (attempt < 3)
            {
            }
        }
    }

    async Task PrepareOnceAsync(CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AccountingDb>();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await scope.ServiceProvider.GetRequiredService<LedgerBook>().EnsureAccountAsync(Account.CompanyId, ct);
        // Another instance that posts or closes holds the guard: it has prepared the database, and what is due is closed
        // by it or by this instance's day-close watch. Waiting here instead would keep this instance from starting for as
        // long as a close takes (and fail its start after the command timeout).
        if (!await CloseGuard.TryHoldAloneAsync(db, ct))
        {
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            return;
        }
        await BillingDays.OpenDayAsync(db, scope.ServiceProvider.GetRequiredService<BillingCalendar>(), ct);
        await db.SaveChangesAsync(ct);
        await scope.ServiceProvider.GetRequiredService<BillingDayCloser>().CloseWhatIsDueAsync(ct);
        await tx.CommitAsync(ct);
    }
}
