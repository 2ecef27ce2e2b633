namespace Ates.Accounting.Billing;

/// <summary>
/// A billing day: open (exactly one at a time) or closed. The day is the key, so a day closes once.
/// <see cref="Version"/> is a concurrency token the close bumps: two closes of one day cannot both commit (closes hold
/// the close guard alone as well, <see cref="CloseGuard"/>). Postings leave the row alone.
/// </summary>
public sealed class BillingDay
{
    public DateOnly Day { get; set; }
    public bool IsClosed { get; set; }
    public DateTime OpenedAt { get; set; }
    public DateTime? ClosedAt { get; set; }

    /// <summary>"marker" (Tasks' day-closed marker), "manual" (an admin or accountant) or "catch-up" (a later day's marker).</summary>
    public string? ClosedBy { get; set; }

    /// <summary>Why an accountant closed the day by hand while it waited for task events; null otherwise.</summary>
    public string? CloseReason { get; set; }

    public const int CloseReasonLength = 500;

    public decimal ManagementEarnings { get; set; }
    public decimal PayoutsTotal { get; set; }
    public int AccountsInNegative { get; set; }
    public long Version { get; set; }
}

/// <summary>One account's closed day: closing = opening + earned − paid.</summary>
public sealed class DayAccount
{
    public DateOnly Day { get; set; }
    public Guid AccountId { get; set; }
    public decimal Opening { get; set; }
    public decimal Earned { get; set; }
    public decimal Paid { get; set; }
    public decimal Closing { get; set; }
}

/// <summary>Tasks' day-closed marker as received: day D's task events are those with sequence in (Previous, Last], TaskEvents of them.</summary>
public sealed class DayMarker
{
    public DateOnly Day { get; set; }
    public long LastSequence { get; set; }
    public long PreviousSequence { get; set; }
    public long TaskEvents { get; set; }
    public DateTime ReceivedAt { get; set; }
}
