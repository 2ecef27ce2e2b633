using System.Diagnostics;
using Ates.Contracts;
using Ates.Messaging.Envelope;
using Ates.Messaging.Transports;
using Microsoft.EntityFrameworkCore;

namespace Ates.Messaging.Outbox;

/// <summary>Writes events into the service's own database; they commit with the caller's SaveChanges.</summary>
public interface IOutbox
{
    /// <summary>
    /// Validates the event against its schema and stages it. Nothing is sent until the transaction commits.
    /// <paramref name="occurredAt"/> is the event's time (now when null): a producer that decided something by the
    /// same instant (the billing day of a task event) passes it, so the two cannot straddle a midnight.
    /// </summary>
    void Add(object @event, string partitionKey, DateTimeOffset? occurredAt = null);
}

public sealed class Outbox<TDb>(TDb db, EventRegistry registry, TimeProvider time, MessagingOptions options, IEventTransport? transport = null) : IOutbox
    where TDb : DbContext
{
    // Only a transport that delivers in this process brings these very characters to a consumer here.
    readonly bool _consumedInProcess = transport is IOutboxReadingTransport;

    public void Add(object @event, string partitionKey, DateTimeOffset? occurredAt = null)
    {
        var descriptor = registry.Describe(@event.GetType());
        if (descriptor.Producer != options.Service)
            throw new InvalidOperationException($"{options.Service} may not publish {descriptor.Type}: its producer is {descriptor.Producer}.");

        var data = registry.Serialize(@event);
        var check = registry.Validate(descriptor.Type, descriptor.Version, data);
        if (!check.IsValid)
            throw new EventContractException(descriptor.Type, descriptor.Version, check.Errors);

        var eventId = Guid.CreateVersion7(occurredAt ?? time.GetUtcNow());
        // A consumer in this process that reads these very characters need not validate them again.
        if (_consumedInProcess) registry.RememberValid(eventId, descriptor.Type, descriptor.Version, data);
        // The write is a span of the caller's trace; the consumers' spans continue that trace from its id.
        using var write = MessagingActivities.StartWrite(options.Service, descriptor.Type);
        write?.SetTag("messaging.message.id", eventId);
        db.Set<OutboxMessage>().Add(new OutboxMessage
        {
            EventId = eventId,
            Type = descriptor.Type,
            Version = descriptor.Version,
            DataSchema = EventEnvelope.DataSchemaOf(descriptor.SchemaPath),
            PartitionKey = partitionKey,
            TraceParent = Activity.Current?.Id,
            Data = data,
            OccurredAt = (occurredAt ?? time.GetUtcNow()).UtcDateTime,
        });
    }
}
