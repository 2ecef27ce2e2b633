using Ates.Messaging.Inbox;
using Ates.Messaging.Outbox;
using Ates.Messaging.Transports.RabbitMq;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Ates.Messaging.Partitions;

/// <summary>
/// Shares the service's partition queues among its running instances through lease rows in the service's database:
/// each instance renews a lease of its own (it is alive) and one per partition it holds, and every
/// <see cref="RabbitMqOptions.PartitionRebalanceInterval"/> moves towards its share (<see cref="PartitionShare"/>).
/// A partition changes hands in order: the holder stops consuming it and settles what it received, then lets go of the
/// lease, and only then does another instance take it and subscribe. An instance killed outright holds nothing once its
/// leases expire (<see cref="RabbitMqOptions.PartitionLeaseDuration"/>); the broker has put its unacked deliveries back.
/// </summary>
public sealed class PartitionCoordinator<TDb>(
    IServiceScopeFactory scopes,
    RabbitMqTransport transport,
    EventConsumer<TDb> consumer,
    RabbitMqOptions rabbit,
    ILogger<PartitionCoordinator<TDb>> log) : BackgroundService
    where TDb : DbContext
{
    // Liveness is a matter of real time, whatever clock the service's business runs on (tests fake that one).
    static readonly TimeProvider Time = TimeProvider.System;
    const string MemberPrefix = "member/";
    const string PartitionPrefix = "partition/";

    /// <summary>This process: the holder name of its leases.</summary>
    public string Instance { get; } = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid().ToString("N")[..8]}";

    protected override async Task ExecuteAsync(CancellationToken stop)
    {
        if (consumer.Registration.EventTypes.Count == 0) return;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await RebalanceAsync(stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                // The partitions stay as they are; leases not renewed in time pass to others, and each queue's single
                // active consumer keeps two instances from consuming one partition at once meanwhile.
                log.LogWarning(e, "Sharing the partitions of {Service} failed; trying again", consumer.Registration.Service);
            }
            try { await Task.Delay(rabbit.PartitionRebalanceInterval, Time, stop); }
            catch (OperationCanceledException) { break; }
        }
    }

    /// <summary>One look: renews this instance's leases, lets go of what it holds beyond its share and takes free partitions.</summary>
    public async Task RebalanceAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TDb>();
        var now = Time.GetUtcNow().UtcDateTime;
        var until = now + rabbit.PartitionLeaseDuration;

        await Leases.TryHoldAsync(db, MemberPrefix + Instance, Instance, now, rabbit.PartitionLeaseDuration, ct);
        // A lease that lapsed (a long pause: GC, a frozen VM) but that nobody took is still this instance's to renew:
        // no other instance has subscribed to that partition, since none held it.
        await db.Set<RelayLease>().Where(l => l.Holder == Instance && l.Name.StartsWith(PartitionPrefix))
            .ExecuteUpdateAsync(s => s.SetProperty(l => l.ExpiresAt, until), ct);

        var live = await db.Set<RelayLease>().AsNoTracking()
            .Where(l => (l.Name.StartsWith(MemberPrefix) || l.Name.StartsWith(PartitionPrefix)) && l.ExpiresAt >= now)
            .Select(l => new { l.Name, l.Holder }).ToListAsync(ct);
        var instances = live.Where(l => l.Name.StartsWith(MemberPrefix, StringComparison.Ordinal)).Select(l => l.Holder).ToList();
        var holders = live.Where(l => l.Name.StartsWith(PartitionPrefix, StringComparison.Ordinal))
            .ToDictionary(l => int.Parse(l.Name[PartitionPrefix.Length..], System.Globalization.CultureInfo.InvariantCulture), l => l.Holder);

        // A partition this instance consumes but no longer holds (its lease lapsed and another took it) is let go of first.
        foreach (var partition in transport.Subscribed.Where(p => !holders.TryGetValue(p, out var holder) || holder != Instance))
        {
            log.LogWarning("{Instance} lost partition {Partition} of {Service}; it stops consuming it", Instance, partition, consumer.Registration.Service);
            await transport.UnsubscribeAsync(partition, ct);
        }

        var moves = PartitionShare.Plan(Instance, transport.Partitions, instances, holders);
        foreach (var partition in moves.Release)
        {
            await transport.UnsubscribeAsync(partition, ct);
            await Leases.ReleaseAsync(db, PartitionPrefix + partition, Instance, Time.GetUtcNow().UtcDateTime, ct);
            holders.Remove(partition);
            log.LogInformation("{Instance} hands partition {Partition} of {Service} on", Instance, partition, consumer.Registration.Service);
        }
        foreach (var partition in moves.Take)
        {
            if (!await Leases.TryHoldAsync(db, PartitionPrefix + partition, Instance, Time.GetUtcNow().UtcDateTime, rabbit.PartitionLeaseDuration, ct)) continue;
            holders[partition] = Instance;
            log.LogInformation("{Instance} takes partition {Partition} of {Service}", Instance, partition, consumer.Registration.Service);
        }
        var subscribed = transport.Subscribed;
        foreach (var partition in holders.Where(h => h.Value == Instance && h.Key < transport.Partitions).Select(h => h.Key).Except(subscribed))
            await transport.SubscribeAsync(partition, ct);
    }

    public override async Task StopAsync(CancellationToken ct)
    {
        await base.StopAsync(ct);
        if (consumer.Registration.EventTypes.Count == 0) return;
        // A clean stop settles what it holds and hands every partition on at once; the others take them at their next look.
        foreach (var partition in transport.Subscribed) await transport.UnsubscribeAsync(partition, ct);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            // This instance's name holds only its membership and its partitions (the relay holds under a name of its own).
            await Leases.ReleaseAllAsync(scope.ServiceProvider.GetRequiredService<TDb>(), Instance, Time.GetUtcNow().UtcDateTime, ct);
        }
        catch (Exception e)
        {
            log.LogDebug(e, "Handing the partitions on failed; their leases expire by themselves");
        }
    }
}
