using Ates.Accounting.Billing;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Ates.Accounting.TestHost;

/// <summary>Stops forever right after a day close's rows were written and before the transaction commits.</summary>
sealed class HoldCloseInterceptor : SaveChangesInterceptor
{
    bool _closing;

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken ct = default)
    {
        _closing = eventData.Context!.ChangeTracker.Entries<DayAccount>().Any(e => e.State == EntityState.Added);
        return ValueTask.FromResult(result);
    }

    public override async ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken ct = default)
    {
        if (!_closing) return result;
        var day = eventData.Context!.ChangeTracker.Entries<DayAccount>().Select(e => e.Entity.Day).First();
        Console.WriteLine($"CLOSING {day:yyyy-MM-dd}");
        await Task.Delay(Timeout.Infinite, CancellationToken.None);
        return result;
    }
}
