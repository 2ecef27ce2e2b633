namespace Ates.Messaging.Transports.Embedded;

/// <summary>
/// One producer's outbox open on the bus: a subscription per subscriber that takes some of its types, each on its own
/// loop, and the low-water mark over them — a row is marked published once every subscription has committed it. The
/// mark is written at most once per <see cref="IOutboxFeed.MarkInterval"/>: each is a write to the producer's
/// database, where it waits for the producer's own writers, and after a crash a late mark only means deliveries the
/// subscribers' inboxes skip.
/// </summary>
sealed class ProducerFeed : IOpenFeed
{
    readonly IOutboxFeed _outbox;
    readonly Action<ProducerFeed> _closed;
    readonly Lock _gate = new();
    readonly Dictionary<string, (Subscription Subscription, Task Loop)> _subscriptions = [];
    readonly CancellationTokenSource _stop = new();
    // One pending request is enough: the mark covers whatever the subscriptions have committed when it runs.
    readonly WakeUp _markDue = new();
    readonly Task _marker;
    Subscription.Progress _marked = new(long.MinValue, []);

    public ProducerFeed(IOutboxFeed outbox, Action<ProducerFeed> closed)
    {
        (_outbox, _closed) = (outbox, closed);
        _marker = Task.Run(() => MarkLoopAsync(_stop.Token));
    }

    /// <summary>Starts the subscriber's loop, unless it has one or takes none of the producer's types.</summary>
    public void Subscribe(Subscriber subscriber)
    {
        lock (_gate)
        {
            if (_stop.IsCancellationRequested || _subscriptions.ContainsKey(subscriber.Name) || !_outbox.Types.Any(subscriber.Takes)) return;
            var subscription = new Subscription(_outbox, subscriber, _markDue.Set);
            _subscriptions[subscriber.Name] = (subscription, Task.Run(() => subscription.RunAsync(_stop.Token)));
        }
    }

    public async Task NewRowsAsync(CancellationToken ct)
    {
        Subscription[] subscriptions;
        lock (_gate) subscriptions = _subscriptions.Values.Select(s => s.Subscription).ToArray();
        foreach (var subscription in subscriptions) subscription.Wake();
        if (subscriptions.Length == 0) await _outbox.MarkPublishedAsync(long.MaxValue, [], ct);
    }

    async Task MarkLoopAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await _markDue.WaitAsync(Timeout.InfiniteTimeSpan, stop);
                await MarkPublishedAsync(stop);
                await Task.Delay(_outbox.MarkInterval, stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // Tried again after the next commit; the rows stay unpublished meanwhile, nothing is lost.
                _outbox.MarkingFailed(e);
            }
        }
    }

    /// <summary>
    /// Marks what every subscription is done with. Run by the mark loop only, and once more after it has stopped, so
    /// never twice at once.
    /// </summary>
    async Task MarkPublishedAsync(CancellationToken ct)
    {
        Subscription.Progress[] all;
        lock (_gate) all = _subscriptions.Values.Select(s => s.Subscription.Done).ToArray();
        var through = all.Min(p => p.Through);
        // A row waiting for a subscriber's retry stays unpublished; the rows behind it need not.
        var except = all.SelectMany(p => p.Retrying).Where(s => s <= through).ToHashSet();
        if (through == _marked.Through && except.SetEquals(_marked.Retrying)) return;
        await _outbox.MarkPublishedAsync(through, except, ct);
        _marked = new(through, except);
    }

    public async ValueTask DisposeAsync()
    {
        _closed(this);
        Task[] loops;
        lock (_gate)
        {
            _stop.Cancel();
            loops = _subscriptions.Values.Select(s => s.Loop).ToArray();
        }
        await Task.WhenAll(loops);
        await _marker;
        // What the subscribers committed before the stop need not be delivered again after the restart.
        if (loops.Length > 0) await MarkPublishedAsync(CancellationToken.None);
        _stop.Dispose();
    }
}
