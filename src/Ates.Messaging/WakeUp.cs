namespace Ates.Messaging;

/// <summary>
/// A wake-up for one waiting loop that reads everything pending when it runs: any number of <see cref="Set"/>s before
/// it wakes count as one.
/// </summary>
sealed class WakeUp
{
    readonly SemaphoreSlim _pending = new(0, 1);

    public void Set()
    {
        if (_pending.CurrentCount > 0) return;
        try { _pending.Release(); } catch (SemaphoreFullException) { }
    }

    /// <summary>True when set, false when <paramref name="timeout"/> passed first (infinite: wait until set).</summary>
    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken ct) => _pending.WaitAsync(timeout, ct);
}
