using Ates.Messaging.Inbox;
using Ates.Messaging.Outbox;
using Ates.Messaging.Transports;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Ates.Messaging.Ops;

public static class MessagingHealthCheck
{
    /// <summary>The tag of the checks <c>/health/ready</c> runs and the ops status reports.</summary>
    public const string ReadyTag = "ready";
}

/// <summary>
/// Readiness of a service's messaging: its relay goes round (a relay that has not finished a round for
/// <see cref="RelayPatience"/> is stuck or failing every time), and its consumer, if it has one, can be delivered to.
/// </summary>
public sealed class MessagingHealthCheck<TDb>(OutboxRelay<TDb> relay, IConsumerTransport transport, IConsumerRegistration consumer,
    MessagingOptions options, TimeProvider time) : IHealthCheck
    where TDb : DbContext
{
    public static readonly TimeSpan RelayPatience = TimeSpan.FromSeconds(30);

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var problems = new List<string>();
        if (options.RelayEnabled)
        {
            if (relay.LastRoundAt is not { } last) problems.Add("the outbox relay has not finished a round yet");
            else if (time.GetUtcNow() - last > RelayPatience) problems.Add($"the outbox relay has not finished a round for {(time.GetUtcNow() - last).TotalSeconds:0} s");
        }
        var consumes = consumer.Registration.EventTypes.Count > 0;
        if (consumes && !transport.Consuming) problems.Add("the consumer is not subscribed");
        return Task.FromResult(problems.Count == 0
            ? HealthCheckResult.Healthy(consumes ? "relay running, consumer subscribed" : "relay running")
            : HealthCheckResult.Unhealthy(string.Join("; ", problems)));
    }
}
