using Ates.Messaging.Envelope;

namespace Ates.Messaging.Transports.Embedded;

/// <summary>
/// The in-process broker of the one-process mode, shared by every service in the process.
/// Consumers are declared when their service is configured (as a durable queue would be), so
/// an event written before a consumer has started waits for it instead of missing it.
/// A producer's relay opens its outbox to the bus (<see cref="Open"/>); every subscriber that takes
/// some of its types then reads it on a loop of its own (<see cref="Subscription"/>), at its own pace,
/// and a row is marked published once every one of them has committed it.
/// </summary>
public sealed class EmbeddedBus
{
    readonly Lock _gate = new();
    readonly Dictionary<string, Subscriber> _subscribers = [];
    readonly List<ProducerFeed> _feeds = [];

    /// <summary>Declares a consumer and the event types it takes. Idempotent.</summary>
    public void Declare(string consumer, IEnumerable<string> eventTypes)
    {
        lock (_gate)
        {
            if (!_subscribers.TryGetValue(consumer, out var subscriber))
                _subscribers[consumer] = subscriber = new Subscriber(consumer);
            subscriber.Types = subscriber.Types.Union(eventTypes).ToHashSet();
            foreach (var feed in _feeds) feed.Subscribe(subscriber);
        }
    }

    internal void Attach(ConsumerRegistration registration)
    {
        Declare(registration.Service, registration.EventTypes);
        lock (_gate)
        {
            var subscriber = _subscribers[registration.Service];
            // A subscription may already be waiting on the pending attachment: complete that one, do not replace it.
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

    internal IOpenFeed Open(IOutboxFeed outbox)
    {
        var feed = new ProducerFeed(outbox, Close);
        lock (_gate)
        {
            _feeds.Add(feed);
            foreach (var subscriber in _subscribers.Values) feed.Subscribe(subscriber);
        }
        return feed;
    }

    void Close(ProducerFeed feed)
    {
        lock (_gate) _feeds.Remove(feed);
    }

    /// <summary>Replay: hands the events to one consumer, whatever their types, and waits for its commit.</summary>
    internal async Task SendAsync(string consumer, IReadOnlyList<EventEnvelope> events, CancellationToken ct)
    {
        Subscriber? subscriber;
        lock (_gate) _subscribers.TryGetValue(consumer, out subscriber);
        if (subscriber is null) throw new UnknownConsumerException(consumer);

        var registration = await subscriber.WaitAttachedAsync(ct);
        var outcomes = await registration.ConsumeAsync(events.Select(e => new Delivery(e.Encode(), e.DeliveryAttempt)).ToList(), ct);
        var failed = Array.IndexOf(outcomes, ConsumeOutcome.RetryLater);
        if (failed >= 0) throw new DeliveryDeferredException(events[failed].Id, registration.RetryDelay(events[failed].DeliveryAttempt));
    }
}

/// <summary>A declared consumer: the types it takes, and its registration once its service has started.</summary>
sealed class Subscriber(string name)
{
    public string Name => name;

    // Replaced whole on change, so readers need no lock.
    public IReadOnlySet<string> Types { get; set; } = new HashSet<string>();
    public TaskCompletionSource<ConsumerRegistration> Attached { get; set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool Takes(string type) => Types.Contains(type);

    public Task<ConsumerRegistration> WaitAttachedAsync(CancellationToken ct) => Attached.Task.WaitAsync(ct);
}

/// <summary>One service's side of the <see cref="EmbeddedBus"/>: opens its outbox to the subscribers, attaches its consumer.</summary>
public sealed class EmbeddedTransport(EmbeddedBus bus, MessagingOptions options) : IEventTransport, IConsumerTransport, IOutboxReadingTransport
{
    public Task PublishAsync(IReadOnlyList<EventEnvelope> events, CancellationToken ct) =>
        throw new NotSupportedException("In-process subscribers read the producer's outbox themselves: the relay opens it to the bus.");

    public IOpenFeed Open(IOutboxFeed feed) => bus.Open(feed);

    public Task SendToConsumerAsync(string consumer, IReadOnlyList<EventEnvelope> events, CancellationToken ct) =>
        bus.SendAsync(consumer, events, ct);

    public Task StartConsumingAsync(ConsumerRegistration consumer, CancellationToken ct)
    {
        bus.Attach(consumer);
        Consuming = true;
        return Task.CompletedTask;
    }

    public Task StopConsumingAsync(CancellationToken ct)
    {
        Consuming = false;
        bus.Detach(options.Service);
        return Task.CompletedTask;
    }

    public bool Consuming { get; private set; }
}
