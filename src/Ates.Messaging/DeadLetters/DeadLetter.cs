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

    /// <summary>The sequence in a dead letter's envelope (<see cref="Body"/>); 0 when the body is not a readable envelope.</summary>
    public static long SequenceIn(string body)
    {
        try
        {
            using var json = System.Text.Json.JsonDocument.Parse(body);
            // The envelope carries the sequence as a string (a CloudEvents extension attribute).
            return json.RootElement.TryGetProperty("sequence", out var s) && s.ValueKind == System.Text.Json.JsonValueKind.String
                && long.TryParse(s.GetString(), out var n) ? n : 0;
        }
        catch (System.Text.Json.JsonException)
        {
            return 0;
        }
    }
}
