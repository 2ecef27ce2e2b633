using Microsoft.EntityFrameworkCore;

namespace Ates.Messaging.Outbox;

/// <summary>
/// A lease row in the service's database: one relay publishes at a time. An instance that stops
/// renewing loses it after the lease duration; since rows are marked only after the transport
/// confirmed them, a takeover may re-publish a batch (consumers skip it) but loses nothing.
/// </summary>
public static class RelayLock
{
    const string Name = "outbox-relay";

    public static async Task<bool> TryHoldAsync(DbContext db, string instance, DateTime now, TimeSpan duration, CancellationToken ct)
    {
        var until = now + duration;
        var taken = await db.Set<RelayLease>()
            .Where(l => l.Name == Name && (l.Holder == instance || l.ExpiresAt < now))
            .ExecuteUpdateAsync(s => s.SetProperty(l => l.Holder, instance).SetProperty(l => l.ExpiresAt, until), ct);
        if (taken == 1) return true;
        if (await db.Set<RelayLease>().AnyAsync(l => l.Name == Name, ct)) return false;

        db.Set<RelayLease>().Add(new RelayLease { Name = Name, Holder = instance, ExpiresAt = until });
        try
        {
            await db.SaveChangesAsync(ct);
            return true;
        }
        catch (DbUpdateException)
        {
            // Another instance created the lease first.
            db.ChangeTracker.Clear();
            return false;
        }
    }

    public static Task ReleaseAsync(DbContext db, string instance, DateTime now, CancellationToken ct) =>
        db.Set<RelayLease>().Where(l => l.Name == Name && l.Holder == instance)
            .ExecuteUpdateAsync(s => s.SetProperty(l => l.ExpiresAt, now), ct);
}
