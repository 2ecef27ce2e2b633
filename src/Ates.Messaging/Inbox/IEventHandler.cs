namespace Ates.Messaging.Inbox;

/// <summary>Handles one kind of event. Runs inside the consumer's transaction: write through the service's DbContext, do not commit.</summary>
public interface IEventHandler<in TEvent>
{
    Task HandleAsync(TEvent @event, EventContext context, CancellationToken ct);
}

/// <summary>The envelope facts a handler may need: when the event happened and where it stands in its producer's log.</summary>
public sealed record EventContext(Guid EventId, string Source, string Type, int Version, DateTimeOffset Time, long Sequence, string PartitionKey);
