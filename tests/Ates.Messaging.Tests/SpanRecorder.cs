using System.Collections.Concurrent;
using System.Diagnostics;

namespace Ates.Messaging.Tests;

/// <summary>What an OpenTelemetry SDK does, without one: every span of the named sources recorded and kept once it ends.</summary>
public sealed class SpanRecorder : IDisposable
{
    readonly ConcurrentQueue<Activity> _spans = new();
    readonly ActivityListener _listener;

    public SpanRecorder(params string[] sources)
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => sources.Contains(source.Name),
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _spans.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    /// <summary>The spans ended so far.</summary>
    public IReadOnlyList<Activity> Spans => _spans.ToList();

    public void Dispose() => _listener.Dispose();
}
