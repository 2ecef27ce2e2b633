using Ates.Messaging.Envelope;

namespace Ates.Messaging.Transports.Embedded;

/// <summary>
/// The in-process broker of the one-process mode, shared by every service in the process.
/// Consumers are declared when their service is configured (as a durable queue would be), so
/// an event published before a consumer has started waits for it instead of missing it.
/// Delivery calls the consumer, which commits (or dead-letters) before returning: a
/// publish completes only when every subscriber has committed. An event a subscriber wants again
/// later fails the publish (<see cref="DeliveryDeferredException"/>), so its outbox row waits.
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
            // A publisher may already be waiting on the pending attachment: complete that one, do not replace it.
            if (!subscriber.Attached.TrySetResult(registration))
            {
                subscriber.Attached = new TaskCompletionSource<ConsumerRegistration>(TaskCreationOptions.RunContinuationsAsynchronously);
                subscriber.Attached.SetResult(registration);
            }
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

    internal async Task DeliverAsync(IReadOnlyList<EventEnvelope> events, string? onlyTo, CancellationToken ct)
    {
        List<Subscriber> subscribers;
        lock (_gate) subscribers = _subscribers.Where(s => onlyTo is null || s.Key == onlyTo).Select(s => s.Value).ToList();
        if (onlyTo is not null && subscribers.Count == 0) throw new UnknownConsumerException(onlyTo);

        var bodies = new Dictionary<Guid, ReadOnlyMemory<byte>>();
        DeliveryDeferredException? deferred = null;
        foreach (var subscriber in subscribers)
        {
            var mine = events.Where(e => onlyTo is not null || subscriber.Takes(e.Type)).ToList();
            if (mine.Count == 0) continue;

            var consumer = await subscriber.WaitAttachedAsync(ct);
            var deliveries = mine.Select(e => new Delivery(bodies.TryGetValue(e.Id, out var body) ? body : bodies[e.Id] = e.Encode(), e.DeliveryAttempt)).ToList();
            var outcomes = await consumer.ConsumeAsync(deliveries, ct);
            // In-process there is no delay queue: the relay keeps a failed event's row and offers it again
            // after the consumer's delay, while the events behind it go on.
            var failed = outcomes.Select((outcome, i) => (outcome, i)).FirstOrDefault(x => x.outcome == ConsumeOutcome.RetryLater);
            if (failed.outcome == ConsumeOutcome.RetryLater && deferred is null)
                deferred = new DeliveryDeferredException(mine[failed.i].Id, consumer.RetryDelay(deliveries[failed.i].Attempt));
        }
        if (deferred is not null) throw deferred;
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
public sealed class EmbeddedTransport(EmbeddedBus bus, MessagingOptions options) : IEventTransport, IConsumerTransport
{
    public Task PublishAsync(IReadOnlyList<EventEnvelope> events, CancellationToken ct) =>
        bus.DeliverAsync(events, null, ct);

    public Task SendToConsumerAsync(string consumer, IReadOnlyList<EventEnvelope> events, CancellationToken ct) =>
        bus.DeliverAsync(events, consumer, ct);

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
