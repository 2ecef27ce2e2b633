using Ates.Accounting.Billing;
using Ates.Accounting.Data;
using Ates.Accounting.Ledger;
using Ates.ServiceDefaults.Hosting;

namespace Ates.Accounting.Hosting;

/// <summary>
/// Runs before the relay and the consumer start (registered first): creates the schema, the company's account and
/// the open day, and finishes any close whose marker and task events are all in (e.g. after a crash).
/// </summary>
public sealed class AccountingInitializer(IServiceProvider services) : IHostedService
{
    public async Task StartAsync(CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AccountingDb>();
        await db.CreateSchemaAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await scope.ServiceProvider.GetRequiredService<LedgerBook>().EnsureAccountAsync(Account.CompanyId, ct);
        var days = scope.ServiceProvider.GetRequiredService<BillingDays>();
        await days.OpenDayAsync(ct);
        await db.SaveChangesAsync(ct);
        await days.CloseWhatIsDueAsync(ct);
        await tx.CommitAsync(ct);
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
