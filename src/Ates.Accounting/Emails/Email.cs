namespace Ates.Accounting.Emails;

public enum EmailKind { Payout, DailyReport }

/// <summary>
/// An email recorded in the day close's transaction and sent afterwards by <see cref="EmailSender"/>.
/// <see cref="To"/> is null while the recipient's address is not known yet (a placeholder user): the sender looks it
/// up in the users replica at each try.
/// </summary>
public sealed class Email
{
    public Guid Id { get; set; }
    public DateOnly Day { get; set; }
    public EmailKind Kind { get; set; }
    public Guid? RecipientId { get; set; }
    public string? To { get; set; }
    public required string Subject { get; set; }
    public required string Body { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? SentAt { get; set; }
    public int Attempts { get; set; }
    public DateTime? NextAttemptAt { get; set; }
    public string? LastError { get; set; }

    /// <summary>The same for every try, so a receiver can drop a second copy after a crash between send and mark.</summary>
    public string MessageId => $"{Id:N}@accounting.ates";
}
