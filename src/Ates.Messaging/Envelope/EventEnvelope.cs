using System.Text;
using System.Text.Json;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.SystemTextJson;

namespace Ates.Messaging.Envelope;

/// <summary>
/// One event as it travels: a CloudEvents 1.0 structured JSON message with the extension
/// attributes aTES relies on. <see cref="Data"/> is the payload JSON, already validated
/// against its schema by the producer.
/// </summary>
public sealed record EventEnvelope(
    Guid Id,
    string Source,
    string Type,
    int Version,
    DateTimeOffset Time,
    string DataSchema,
    long Sequence,
    string PartitionKey,
    string? TraceParent,
    string Data)
{
    public const string ContentType = "application/cloudevents+json";

    /// <summary>
    /// Which delivery of this event this is, for a transport that delivers in-process (1 the first time).
    /// Not part of the CloudEvent: a broker counts its own redeliveries.
    /// </summary>
    public int DeliveryAttempt { get; init; } = 1;

    static readonly CloudEventAttribute EventVersion = CloudEventAttribute.CreateExtension("eventversion", CloudEventAttributeType.Integer);
    static readonly CloudEventAttribute SequenceAttribute = CloudEventAttribute.CreateExtension("sequence", CloudEventAttributeType.String);
    static readonly CloudEventAttribute PartitionKeyAttribute = CloudEventAttribute.CreateExtension("partitionkey", CloudEventAttributeType.String);
    static readonly CloudEventAttribute TraceParentAttribute = CloudEventAttribute.CreateExtension("traceparent", CloudEventAttributeType.String);
    static readonly CloudEventAttribute[] Extensions = [EventVersion, SequenceAttribute, PartitionKeyAttribute, TraceParentAttribute];
    static readonly JsonEventFormatter Formatter = new();

    /// <summary>The source URI of a producing service, e.g. <c>/ates/tasks</c>.</summary>
    public static string SourceOf(string producer) => $"/ates/{producer}";

    /// <summary>The producer a source names ("tasks" for /ates/tasks); null for a source that is not an aTES service's.</summary>
    public static string? ProducerIn(string? source) =>
        source is not null && source.StartsWith(SourceOf(""), StringComparison.Ordinal) ? source[SourceOf("").Length..] : null;

    /// <summary>CloudEvents wants an absolute URI here; the path after the scheme is the registry path.</summary>
    public static string DataSchemaOf(string schemaPath) => $"ates:{schemaPath}";

    public ReadOnlyMemory<byte> Encode()
    {
        var cloudEvent = new CloudEvent(CloudEventsSpecVersion.V1_0, Extensions)
        {
            Id = Id.ToString(),
            Source = new Uri(Source, UriKind.RelativeOrAbsolute),
            Type = Type,
            Time = Time,
            DataSchema = new Uri(DataSchema, UriKind.Absolute),
            DataContentType = "application/json",
            Data = JsonDocument.Parse(Data).RootElement,
        };
        cloudEvent[EventVersion] = Version;
        cloudEvent[SequenceAttribute] = Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture);
        cloudEvent[PartitionKeyAttribute] = PartitionKey;
        if (TraceParent is not null) cloudEvent[TraceParentAttribute] = TraceParent;
        return Formatter.EncodeStructuredModeMessage(cloudEvent, out _);
    }

    /// <summary>Reads a structured CloudEvent; throws <see cref="MalformedEnvelopeException"/> with the reason.</summary>
    public static EventEnvelope Decode(ReadOnlyMemory<byte> body)
    {
        CloudEvent cloudEvent;
        try
        {
            cloudEvent = Formatter.DecodeStructuredModeMessage(body, new System.Net.Mime.ContentType(ContentType), Extensions);
        }
        catch (Exception e) when (e is ArgumentException or JsonException or FormatException or InvalidOperationException)
        {
            throw new MalformedEnvelopeException($"not a CloudEvents 1.0 structured message: {e.Message}", e);
        }

        if (cloudEvent[EventVersion] is not int version) throw new MalformedEnvelopeException("the 'eventversion' attribute is missing");
        if (cloudEvent[SequenceAttribute] is not string sequenceText || !long.TryParse(sequenceText, out var sequence))
            throw new MalformedEnvelopeException("the 'sequence' attribute is missing or not a number");
        if (cloudEvent.Data is not JsonElement data) throw new MalformedEnvelopeException("the 'data' attribute is missing");
        if (!Guid.TryParse(cloudEvent.Id, out var id)) throw new MalformedEnvelopeException("the 'id' attribute is not a UUID");

        return new EventEnvelope(
            id,
            cloudEvent.Source?.ToString() ?? throw new MalformedEnvelopeException("the 'source' attribute is missing"),
            cloudEvent.Type ?? throw new MalformedEnvelopeException("the 'type' attribute is missing"),
            version,
            cloudEvent.Time ?? throw new MalformedEnvelopeException("the 'time' attribute is missing"),
            cloudEvent.DataSchema?.ToString() ?? throw new MalformedEnvelopeException("the 'dataschema' attribute is missing"),
            sequence,
            cloudEvent[PartitionKeyAttribute] as string ?? throw new MalformedEnvelopeException("the 'partitionkey' attribute is missing"),
            cloudEvent[TraceParentAttribute] as string,
            data.GetRawText());
    }

    public static string AsText(ReadOnlyMemory<byte> body) => Encoding.UTF8.GetString(body.Span);
}

public sealed class MalformedEnvelopeException(string reason, Exception? inner = null) : Exception(reason, inner);
