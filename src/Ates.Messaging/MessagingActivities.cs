using System.Diagnostics;

namespace Ates.Messaging;

/// <summary>
/// The spans of an event's way: written to the outbox (a producer span, whose id the envelope carries as its
/// <c>traceparent</c>), relayed in a batch, consumed in a batch, handled. A batch belongs to many traces: its span is
/// linked to each event's, and each event's handling is a span in its own trace.
/// </summary>
public static class MessagingActivities
{
    public static readonly ActivitySource Source = new("Ates.Messaging");

    /// <summary>The span of an event's outbox write, in the caller's trace (an HTTP request's, a consumer's); null when nobody listens.</summary>
    public static Activity? StartWrite(string service, string type) =>
        // Checked first: with nobody listening (no tracing configured) an event's write allocates nothing for its span.
        !Source.HasListeners() ? null
        : Source.StartActivity($"outbox {type}", ActivityKind.Producer, parentContext: default,
            tags: [new("messaging.system", "ates"), new("messaging.operation.type", "create"), new("messaging.destination.name", type),
                   new("ates.service", service)]);

    /// <summary>A span for a batch of events (relayed or consumed), linked to the trace of every event in it that has one.</summary>
    public static Activity? StartBatch(string name, ActivityKind kind, string service, IEnumerable<string?> traceParents, int count)
    {
        if (!Source.HasListeners()) return null;
        var links = traceParents
            .Select(p => p is not null && ActivityContext.TryParse(p, null, out var context) ? new ActivityLink(context) : (ActivityLink?)null)
            .Where(l => l is not null).Select(l => l!.Value).ToList();
        // A batch is work of its own, not a part of whatever trace happens to be current.
        return Source.StartActivity(name, kind, parentContext: default,
            tags: [new("messaging.system", "ates"), new("messaging.batch.message_count", count), new("ates.service", service)], links: links);
    }
}
