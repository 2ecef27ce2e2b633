namespace Ates.Messaging.Transports.Embedded;

/// <summary>
/// One producer's outbox open on the bus: a subscription per subscriber that takes some of its types, each on its own
/// loop, and the low-water mark over them — a row is marked published once every subscription has committed it.
/// </summary>
sealed class ProducerFeed(IOutboxFeed outbox, Action<ProducerFeed> closed) : IOpenFeed
{
    readonly Lock _gate = new();
    readonly Dictionary<string, (Subscription Subscription, Task Loop)> _subscriptions = [];
    readonly CancellationTokenSource _stop = new();
    readonly SemaphoreSlim _marking = new(1, 1);
    Subscription.Progress _marked = new(long.MinValue, []);

    /// <summary>Starts the subscriber's loop, unless it has one or takes none of the producer's types.</summary>
    public void Subscribe(Subscriber subscriber)
    {
        lock (_gate)
        {
            if (_stop.IsCancellationRequested || _subscriptions.ContainsKey(subscriber.Name) || !outbox.Types.Any(subscriber.Takes)) return;
            var subscription = new Subscription(outbox, subscriber, MarkPublishedAsync);
            _subscriptions[subscriber.Name] = (subscription, Task.Run(() => subscription.RunAsync(_stop.Token)));
        }
    }

    public async Task NewRowsAsync(CancellationToken ct)
    {
        Subscription[] subscriptions;
        lock (_gate) subscriptions = _subscriptions.Values.Select(s => s.Subscription).ToArray();
        foreach (var subscription in subscriptions) subscription.Wake();
        if (subscriptions.Length == 0) await outbox.MarkPublishedAsync(long.MaxValue, [], ct);
    }

    /// <summary>After a subscription's commit: marks what every subscription is done with.</summary>
    async Task MarkPublishedAsync(CancellationToken ct)
    {
        await _marking.WaitAsync(ct);
        try
        {
            Subscription.Progress[] all;
            lock (_gate) all = _subscriptions.Values.Select(s => s.Subscription.Done).ToArray();
            var through = all.Min(p => p.Through);
            // A row waiting for a subscriber's retry stays unpublished; the rows behind it need not.
            var except = all.SelectMany(p => p.Retrying).Where(s => s <= through).ToHashSet();
            if (through == _marked.Through && except.SetEquals(_marked.Retrying)) return;
            await outbox.MarkPublishedAsync(through, except, ct);
            _marked = new(through, except);
        }
        finally
        {
            _marking.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        closed(this);
        Task[] loops;
        lock (_gate)
        {
            _stop.Cancel();
            loops = _subscriptions.Values.Select(s => s.Loop).ToArray();
        }
        await Task.WhenAll(loops);
        // What the subscribers committed before the stop need not be delivered again after the restart.
        if (loops.Length > 0) await MarkPublishedAsync(CancellationToken.None);
        _stop.Dispose();
    }
}
