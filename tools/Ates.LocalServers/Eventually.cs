using System.Diagnostics;

namespace Ates.LocalServers;

/// <summary>
/// Waiting for eventual consistency without sleeps: poll a condition every <see cref="PollInterval"/>
/// until it holds or the timeout passes. An exception thrown by the condition counts as "not yet"; the
/// last one is attached to the <see cref="TimeoutException"/> as its inner exception.
/// </summary>
public static class Eventually
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string because, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var sw = Stopwatch.StartNew();
        Exception? last = null;
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            var expired = sw.Elapsed >= timeout; // evaluated before the check, so the condition always gets a last chance
            try
            {
                if (await condition().ConfigureAwait(false)) return;
                last = null;
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                last = e;
            }
            if (expired) throw Timeout(timeout, because, sw.Elapsed, last);
            var remaining = timeout - sw.Elapsed;
            await Task.Delay(remaining < PollInterval && remaining > TimeSpan.Zero ? remaining : PollInterval, ct).ConfigureAwait(false);
        }
    }

    public static Task UntilAsync(Func<bool> condition, TimeSpan timeout, string because, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(condition);
        return UntilAsync(() => Task.FromResult(condition()), timeout, because, ct);
    }

    /// <summary>Blocking variant for synchronous tests.</summary>
    public static void Until(Func<bool> condition, TimeSpan timeout, string because)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var sw = Stopwatch.StartNew();
        Exception? last = null;
        while (true)
        {
            var expired = sw.Elapsed >= timeout;
            try
            {
                if (condition()) return;
                last = null;
            }
            catch (Exception e)
            {
                last = e;
            }
            if (expired) throw Timeout(timeout, because, sw.Elapsed, last);
            var remaining = timeout - sw.Elapsed;
            Thread.Sleep(remaining < PollInterval && remaining > TimeSpan.Zero ? remaining : PollInterval);
        }
    }

    static TimeoutException Timeout(TimeSpan timeout, string because, TimeSpan elapsed, Exception? last)
    {
        var message = $"Condition not met within {timeout.TotalSeconds:0.###} s (waited {elapsed.TotalSeconds:0.###} s): {because}";
        if (last is not null) message += $" (last attempt threw {last.GetType().Name}: {last.Message})";
        return last is null ? new TimeoutException(message) : new TimeoutException(message, last);
    }
}
