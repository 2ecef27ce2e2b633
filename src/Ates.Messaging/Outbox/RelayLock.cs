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

    public static Task<bool> TryHoldAsync(DbContext db, string instance, DateTime now, TimeSpan duration, CancellationToken ct) =>
        Leases.TryHoldAsync(db, Name, instance, now, duration, ct);

    public static Task ReleaseAsync(DbContext db, string instance, DateTime now, CancellationToken ct) =>
        Leases.ReleaseAsync(db, Name, instance, now, ct);
}
