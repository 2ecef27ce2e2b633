using Ates.Messaging.Outbox;
using Microsoft.EntityFrameworkCore;

namespace Ates.Messaging;

/// <summary>
/// Named lease rows in the service's database (the relay's, each consumer partition's, each consuming instance's):
/// the holder keeps a lease while it renews it, and anyone may take it once it has expired.
/// </summary>
public static class Leases
{
    /// <summary>Takes or renews the lease; false while another holder's has not expired.</summary>
    public static async Task<bool> TryHoldAsync(DbContext db, string name, string holder, DateTime now, TimeSpan duration, CancellationToken ct)
    {
        var until = now + duration;
        var taken = await db.Set<RelayLease>()
            .Where(l => l.Name == name && (l.Holder == holder || l.ExpiresAt < now))
            .ExecuteUpdateAsync(s => s.SetProperty(l => l.Holder, holder).SetProperty(l => l.ExpiresAt, until), ct);
        if (taken == 1) return true;
        if (await db.Set<RelayLease>().AnyAsync(l => l.Name == name, ct)) return false;

        db.Set<RelayLease>().Add(new RelayLease { Name = name, Holder = holder, ExpiresAt = until });
        try
        {
            await db.SaveChangesAsync(ct);
            return true;
        }
        catch (DbUpdateException)
        {
            // Another holder created the lease first.
            db.ChangeTracker.Clear();
            return false;
        }
    }

    /// <summary>
    /// Hands the lease on at once, if <paramref name="holder"/> still holds it: it expires now and names no holder, so
    /// that the former holder's renewals (which renew what names it, lapsed or not) leave it alone.
    /// </summary>
    public static Task ReleaseAsync(DbContext db, string name, string holder, DateTime now, CancellationToken ct) =>
        db.Set<RelayLease>().Where(l => l.Name == name && l.Holder == holder)
            .ExecuteUpdateAsync(s => s.SetProperty(l => l.ExpiresAt, now).SetProperty(l => l.Holder, ""), ct);

    /// <summary>Hands on at once every lease <paramref name="holder"/> holds, as <see cref="ReleaseAsync"/> does one.</summary>
    public static Task ReleaseAllAsync(DbContext db, string holder, DateTime now, CancellationToken ct) =>
        db.Set<RelayLease>().Where(l => l.Holder == holder)
            .ExecuteUpdateAsync(s => s.SetProperty(l => l.ExpiresAt, now).SetProperty(l => l.Holder, ""), ct);
}
