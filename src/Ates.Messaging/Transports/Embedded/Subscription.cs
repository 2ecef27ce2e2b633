using Ates.Messaging.Envelope;

namespace Ates.Messaging.Transports.Embedded;

/// <summary>
/// One subscriber's delivery loop over one producer's outbox. It reads batches after its own position, in sequence
/// order, hands the events it takes to the consumer, and moves on once the consumer has committed them: it never waits
/// for another subscriber, and holds one batch at a time. An event whose handler failed is read again after the
/// consumer's delay while the events behind it go on. After a restart it starts from the lowest unpublished row;
/// the consumer's inbox skips what it has already handled.
/// </summary>
sealed class Subscription(IOutboxFeed outbox, Subscriber subscriber, Action committed)
{
    /// <summary>Every row up to <paramref name="Through"/> is committed, but those waiting for a retry.</summary>
    public sealed record Progress(long Through, IReadOnlyCollection<long> Retrying);

    readonly record struct Retry(int Attempt, DateTime Due);

    // One pending wake-up is enough: the loop reads every waiting row when it runs.
    readonly WakeUp _wake = new();
    // The highest sequence read; null while the outbox is empty.
    long? _position;
    // Sequences skipped over: a transaction still open (it commits later, out of order) or rolled back.
    readonly Dictionary<long, DateTime> _gaps = [];
    readonly Dictionary<long, Retry> _retrying = [];

    /// <summary>Replaced whole after each batch, so the low-water mark reads it without a lock. Nothing is done before the start.</summary>
    public Progress Done { get; private set; } = new(long.MinValue, []);

    public void Wake() => _wake.Set();

    public async Task RunAsync(CancellationToken stop)
    {
        var started = false;
        while (!stop.IsCancellationRequested)
        {
            var more = false;
            try
            {
                if (!started) (_position, started) = (await outbox.StartAsync(stop), true);
                more = await DeliverBatchAsync(stop);
                committed();
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // The batch is read again on the next wake-up (the relay's next pass at the latest); the inbox skips what was committed.
                outbox.DeliveryFailed(subscriber.Name, e);
            }

            if (!more)
            {
                try
                {
                    // Woken by a commit: the next ones gather for a moment and come in the same batch.
                    if (await _wake.WaitAsync(UntilNextDue(), stop) && outbox.Linger > TimeSpan.Zero) await Task.Delay(outbox.Linger, stop);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>Delivers one batch. True when more rows may be waiting.</summary>
    async Task<bool> DeliverBatchAsync(CancellationToken ct)
    {
        var now = outbox.Time.GetUtcNow().UtcDateTime;
        var due = _retrying.Where(r => r.Value.Due <= now).Select(r => r.Key);
        var rows = await outbox.ReadAsync(_position ?? 0, [.. _gaps.Keys, .. due], outbox.BatchSize, ct);

        var mine = new List<EventEnvelope>(rows.Count);
        foreach (var row in rows)
        {
            if (!subscriber.Takes(row.Type)) _retrying.Remove(row.Sequence);
            else mine.Add(_retrying.TryGetValue(row.Sequence, out var retry) ? row with { DeliveryAttempt = retry.Attempt + 1 } : row);
        }
        if (mine.Count > 0)
        {
            // Events wait for a subscriber declared but not started yet.
            var consumer = await subscriber.WaitAttachedAsync(ct);
            var outcomes = await consumer.ConsumeAsync(mine.Select(e => new Delivery(e.Encode(), e.DeliveryAttempt)).ToList(), ct);
            for (var i = 0; i < mine.Count; i++)
            {
                var (sequence, attempt) = (mine[i].Sequence, mine[i].DeliveryAttempt);
                if (outcomes[i] != ConsumeOutcome.RetryLater)
                {
                    _retrying.Remove(sequence);
                    continue;
                }
                var delay = consumer.RetryDelay(attempt);
                _retrying[sequence] = new Retry(attempt, now + delay);
                await outbox.DeferAsync(sequence, attempt, now + delay, $"{subscriber.Name} wants it again in {delay.TotalMilliseconds:F0} ms", ct);
            }
        }

        MoveOn(rows, now);
        return rows.Count == outbox.BatchSize;
    }

    /// <summary>Advances the position past the batch, noting the sequences it skipped, and publishes the progress.</summary>
    void MoveOn(IReadOnlyList<EventEnvelope> rows, DateTime now)
    {
        foreach (var sequence in rows.Select(r => r.Sequence))
        {
            if (_gaps.Remove(sequence) || sequence <= _position) continue;
            if (_position is { } position)
                for (var missing = position + 1; missing < sequence; missing++) _gaps.TryAdd(missing, now);
            _position = sequence;
        }
        // Missing for that long, it was rolled back.
        foreach (var (sequence, _) in _gaps.Where(g => now - g.Value >= outbox.GapTimeout).ToList()) _gaps.Remove(sequence);

        var through = _gaps.Count > 0 ? _gaps.Keys.Min() - 1 : _position ?? 0;
        Done = new Progress(through, _retrying.Keys.ToArray());
    }

    /// <summary>Until the next retry is due or the oldest gap times out; without either, until woken.</summary>
    TimeSpan UntilNextDue()
    {
        var next = _retrying.Values.Select(r => r.Due).Concat(_gaps.Values.Select(since => since + outbox.GapTimeout)).DefaultIfEmpty(DateTime.MaxValue).Min();
        if (next == DateTime.MaxValue) return Timeout.InfiniteTimeSpan;
        var wait = next - outbox.Time.GetUtcNow().UtcDateTime;
        return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
    }
}
