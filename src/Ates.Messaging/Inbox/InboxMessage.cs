namespace Ates.Messaging.Inbox;

/// <summary>An event this service has handled, recorded in the handler's transaction.</summary>
public sealed class InboxMessage
{
    public Guid EventId { get; set; }
    public required string Source { get; set; }
    public required string Type { get; set; }
    public long Sequence { get; set; }
    public DateTime HandledAt { get; set; }
}
