using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Ates.Messaging;

/// <summary>
/// The messaging figures an operator watches (docs/operations.md), as OpenTelemetry metrics of the meter
/// "Ates.Messaging". Counters count as it happens; the figures read from the database (outbox depth and age, each
/// log's last sequence, each consumer's position, dead letters) are sampled by <see cref="Ops.MessagingSampler{TDb}"/>
/// and kept here per service, so that one process with several services (the one-process host) reports each once.
/// </summary>
public static class MessagingMetrics
{
    public static readonly Meter Meter = new("Ates.Messaging");

    static readonly Counter<long> Published = Meter.CreateCounter<long>("ates.relay.published", "{event}",
        "Events the relay handed to the broker (confirmed).");
    static readonly Counter<long> Written = Meter.CreateCounter<long>("ates.outbox.written", "{event}",
        "Events a service committed to its outbox, by type (Accounting's transaction.applied: its ledger postings).");
    static readonly Counter<long> Consumed = Meter.CreateCounter<long>("ates.consumer.events", "{event}",
        "Events a consumer took, by outcome: handled, duplicate, retry, dead_lettered.");

    static readonly ConcurrentDictionary<string, Sample> Samples = new();
    static readonly ObservableGauge<long> Depth;

    static MessagingMetrics()
    {
        Depth = Meter.CreateObservableGauge("ates.outbox.depth", () => Samples.Select(s => new Measurement<long>(s.Value.Unpublished, Service(s.Key))),
            "{event}", "Events in the service's outbox not published yet.");
        Meter.CreateObservableGauge("ates.outbox.oldest_age", () => Samples.Select(s => new Measurement<double>(s.Value.OldestUnpublishedAge, Service(s.Key))),
            "s", "How long the oldest unpublished event of the outbox has waited (0 when none waits).");
        Meter.CreateObservableGauge("ates.outbox.last_sequence", () => Samples.SelectMany(s => s.Value.LastSequenceByType.Select(t =>
                new Measurement<long>(t.Value, new("ates.service", s.Key), new("ates.event.type", t.Key)))),
            "{sequence}", "The last sequence the service's log holds of each event type.");
        Meter.CreateObservableGauge("ates.consumer.position", () => Samples.SelectMany(s => s.Value.PositionByType.Select(p =>
                new Measurement<long>(p.Value, new("ates.service", s.Key), new("ates.producer", p.Key.Producer), new("ates.event.type", p.Key.Type)))),
            "{sequence}", "The highest sequence of each producer's event type the consumer is done with.");
        Meter.CreateObservableGauge("ates.dead_letters", () => Samples.Select(s => new Measurement<long>(s.Value.DeadLetters, Service(s.Key))),
            "{event}", "Events the service gave up on, waiting to be retried or discarded.");
    }

    /// <summary>What the sampler read from a service's database.</summary>
    public sealed record Sample(long Unpublished, double OldestUnpublishedAge, IReadOnlyDictionary<string, long> LastSequenceByType,
        IReadOnlyDictionary<(string Producer, string Type), long> PositionByType, long DeadLetters);

    public static void Record(string service, Sample sample) => Samples[service] = sample;

    /// <summary>Whether anything counts the events written and taken: else the counting is skipped.</summary>
    public static bool Counting => Written.Enabled || Consumed.Enabled;

    /// <summary>Whether anything reads the sampled figures (a meter provider with a reader); else sampling is wasted work.</summary>
    public static bool Observed => Depth.Enabled;

    public static void RecordWritten(string service, string type, int count) =>
        Written.Add(count, new KeyValuePair<string, object?>("ates.service", service), new KeyValuePair<string, object?>("ates.event.type", type));

    public static void RecordPublished(string service, int count) => Published.Add(count, Service(service));

    public static void RecordConsumed(string service, string producer, string type, string outcome) =>
        Consumed.Add(1, new TagList { { "ates.service", service }, { "ates.producer", producer }, { "ates.event.type", type }, { "ates.outcome", outcome } });

    static KeyValuePair<string, object?> Service(string service) => new("ates.service", service);
}
