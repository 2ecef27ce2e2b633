using Ates.Messaging.Envelope;

namespace Ates.Messaging.Transports.Embedded;

/// <summary>
/// The in-process broker of the one-process mode, shared by every service in the process.
/// Consumers are declared when their service is configured (as a durable queue would be), so
/// an event published before a consumer has started waits for it instead of missing it.
/// Delivery calls the consumer, which commits (or dead-letters) before returning: a
/// publish completes only when every subscriber has committed.
/// </summary>
public sealed class EmbeddedBus
{
    readonly Lock _gate = new();
    readonly Dictionary<string, Subscriber> _subscribers = [];

    /// <summary>Declares a consumer and the event types it takes. Idempotent.</summary>
    public void Declare(string consumer, IEnumerable<string> eventTypes)
    {
        lock (_gate)
        {
            if (!_subscribers.TryGetValue(consumer, out var subscriber))
                _subscribers[consumer] = subscriber = new Subscriber();
            subscriber.Types = subscriber.Types.Union(eventTypes).ToHashSet();
        }
    }

    internal void Attach(ConsumerRegistration registration)
    {
        Declare(registration.Service, registration.EventTypes);
        lock (_gate)
        {
            var subscriber = _subscribers[registration.Service];
            subscriber.Attached = new TaskCompletionSource<ConsumerRegistration>(TaskCreationOptions.RunContinuationsAsynchronously);
            subscriber.Attached.SetResult(registration);
        }
    }

    internal void Detach(string consumer)
    {
        lock (_gate)
        {
            if (_subscribers.TryGetValue(consumer, out var subscriber))
                subscriber.Attached = new TaskCompletionSource<ConsumerRegistration>(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    internal async Task DeliverAsync(IReadOnlyList<EventEnvelope> events, string? onlyTo, TimeProvider time, CancellationToken ct)
    {
        List<Subscriber> subscribers;
        lock (_gate) subscribers = _subscribers.Where(s => onlyTo is null || s.Key == onlyTo).Select(s => s.Value).ToList();
        if (onlyTo is not null && subscribers.Count == 0) throw new InvalidOperationException($"No consumer named {onlyTo} is declared.");

        var bodies = new Dictionary<Guid, ReadOnlyMemory<byte>>();
        foreach (var subscriber in subscribers)
        {
            var deliveries = events.Where(e => onlyTo is not null || subscriber.Takes(e.Type))
                .Select(e => bodies.TryGetValue(e.Id, out var body) ? body : bodies[e.Id] = e.Encode())
                .Select(body => new Delivery(body, 1))
                .ToList();
            if (deliveries.Count == 0) continue;

            var consumer = await subscriber.WaitAttachedAsync(ct);
            var outcomes = await consumer.ConsumeAsync(deliveries, ct);
            for (var i = 0; i < deliveries.Count; i++)
            {
                // In-process there is no delay queue: the relay waits out a failed event's retries, and
                // its row is marked published only once every subscriber has settled it.
                for (var attempt = 2; outcomes[i] == ConsumeOutcome.RetryLater; attempt++)
                {
                    await Task.Delay(consumer.RetryDelay(attempt - 1), time, ct);
                    outcomes[i] = (await consumer.ConsumeAsync([deliveries[i] with { Attempt = attempt }], ct))[0];
                }
            }
        }
    }

    sealed class Subscriber
    {
        // Replaced whole on change, so readers need no lock.
        public IReadOnlySet<string> Types { get; set; } = new HashSet<string>();
        public TaskCompletionSource<ConsumerRegistration> Attached { get; set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool Takes(string type) => Types.Contains(type);

        public Task<ConsumerRegistration> WaitAttachedAsync(CancellationToken ct) => Attached.Task.WaitAsync(ct);
    }
}

/// <summary>One service's side of the <see cref="EmbeddedBus"/>: publishes its events, attaches its consumer.</summary>
public sealed class EmbeddedTransport(EmbeddedBus bus, MessagingOptions options, TimeProvider time) : IEventTransport, IConsumerTransport
{
    public Task PublishAsync(IReadOnlyList<EventEnvelope> events, CancellationToken ct) =>
        bus.DeliverAsync(events, null, time, ct);

    public Task SendToConsumerAsync(string consumer, IReadOnlyList<EventEnvelope> events, CancellationToken ct) =>
        bus.DeliverAsync(events, consumer, time, ct);

    public Task StartConsumingAsync(ConsumerRegistration consumer, CancellationToken ct)
    {
        bus.Attach(consumer);
        return Task.CompletedTask;
    }

    public Task StopConsumingAsync(CancellationToken ct)
    {
        bus.Detach(options.Service);
        return Task.CompletedTask;
    }
}
