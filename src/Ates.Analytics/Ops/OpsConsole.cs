using Ates.Analytics.Hosting;
using Ates.Messaging.Ops;
using static Ates.Messaging.DeadLetters.DeadLetterEndpoints;

namespace Ates.Analytics.Ops;

/// <summary>Each service as the console found it; <paramref name="Error"/> says why its status is missing.</summary>
public sealed record ServiceOps(string Service, ServiceStatus? Status, IReadOnlyList<DeadLetterView> DeadLetters, string? Error);

/// <summary>
/// One consumer's lag behind one producer: the producer's events of the types it handles after its position.
/// <paramref name="Behind"/> is null when the producer could not be asked (<paramref name="Error"/> says why).
/// </summary>
public sealed record ConsumerLag(string Consumer, string Producer, long Position, long Handled, DateTime? LastHandledAt,
    long? Behind, DateTime? OldestBehindAt, string? Error);

public sealed record OpsOverview(DateTimeOffset At, IReadOnlyList<ServiceOps> Services, IReadOnlyList<ConsumerLag> Lags)
{
    public bool AnyBehind => Lags.Any(l => l.Behind > 0);
}

/// <summary>
/// The admins' view over every service's messaging: Auth, Tasks and Accounting through their /ops endpoints at the
/// addresses the rebuild uses (Analytics:Producers), with the admin's own token; Analytics itself in process.
/// </summary>
public sealed class OpsConsole(AnalyticsOptions options, IHttpClientFactory http, IServiceProvider services)
{
    /// <summary>The HTTP client for one producer's ops API, its replay included (the rebuild's too).</summary>
    public static string ClientName(string producer) => $"analytics.replay.{producer}";

    /// <summary>Every service, by name: the producers the options list, and Analytics.</summary>
    public IReadOnlyDictionary<string, IOpsService> Services(string? accessToken)
    {
        var all = new SortedDictionary<string, IOpsService>(StringComparer.Ordinal);
        foreach (var (name, address) in options.Producers)
            // A replay of a long log takes a while: the producer answers when it has sent everything.
            all[name] = new RemoteOpsService(name, address, http.CreateClient(ClientName(name)), accessToken);
        var local = new LocalOpsService(services);
        all[local.Name] = local;
        return all;
    }

    public async Task<OpsOverview> OverviewAsync(string? accessToken, CancellationToken ct)
    {
        var all = Services(accessToken);
        var found = await Task.WhenAll(all.Values.Select(s => ReadAsync(s, ct)));

        var lags = new List<ConsumerLag>();
        foreach (var consumer in found.Where(s => s.Status is not null))
            foreach (var position in consumer.Status!.Consuming)
                lags.Add(await LagAsync(consumer.Service, position, all.GetValueOrDefault(position.Producer), ct));
        return new OpsOverview(DateTimeOffset.UtcNow, found, lags);
    }

    static async Task<ServiceOps> ReadAsync(IOpsService service, CancellationToken ct)
    {
        try
        {
            var status = await service.StatusAsync(ct);
            var letters = status.DeadLetters > 0 ? await service.DeadLettersAsync(ct) : [];
            return new ServiceOps(service.Name, status, letters, null);
        }
        catch (OpsCallException e)
        {
            return new ServiceOps(service.Name, null, [], e.Message);
        }
    }

    static async Task<ConsumerLag> LagAsync(string consumer, ConsumerPosition position, IOpsService? producer, CancellationToken ct)
    {
        if (producer is null)
            return new ConsumerLag(consumer, position.Producer, position.Position, position.Handled, position.LastHandledAt, null, null,
                $"No address for {position.Producer}: add it to Analytics:Producers.");
        try
        {
            var backlog = await producer.BacklogAsync(position.Position, position.Types, ct);
            return new ConsumerLag(consumer, position.Producer, position.Position, position.Handled, position.LastHandledAt, backlog.Behind, backlog.OldestBehindAt, null);
        }
        catch (OpsCallException e)
        {
            return new ConsumerLag(consumer, position.Producer, position.Position, position.Handled, position.LastHandledAt, null, null, e.Message);
        }
    }
}
