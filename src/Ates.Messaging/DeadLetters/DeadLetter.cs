namespace Ates.Messaging.DeadLetters;

/// <summary>An event this service gave up on, with the reason, kept to be retried or discarded.</summary>
public sealed class DeadLetter
{
    public Guid Id { get; set; }
    /// <summary>The event's id when the envelope could be read; null for a malformed message.</summary>
    public Guid? EventId { get; set; }
    public string? Type { get; set; }
    public string? Source { get; set; }
    public required string Body { get; set; }
    public required string Reason { get; set; }
    public int Attempts { get; set; }
    public DateTime FailedAt { get; set; }
}
