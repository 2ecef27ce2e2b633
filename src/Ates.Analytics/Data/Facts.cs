using Ates.Contracts;

namespace Ates.Analytics.Data;

/// <summary>A fact of one generation (<see cref="ReportState"/>): the reports read the live one.</summary>
public interface IFact
{
    long Generation { get; }
}

/// <summary>
/// One money movement on a popug's account, as transaction.applied told it. Kept in whole cents so that every
/// database sums and orders it exactly (SQLite has no decimal type); <see cref="Amount"/> is the decimal view.
/// </summary>
public sealed class Posting : IFact
{
    public long Generation { get; set; }
    public Guid TransactionId { get; set; }
    public Guid AccountId { get; set; }
    public TransactionKind Kind { get; set; }

    /// <summary>Signed from the popug's side: assign fee and payout negative, reward positive.</summary>
    public long AmountCents { get; set; }

    public Guid? TaskId { get; set; }
    public DateOnly Day { get; set; }

    public decimal Amount => AmountCents / 100m;
}

/// <summary>What a report shows of a task. Entity version 0 is a placeholder: a posting named the task before its task.created arrived.</summary>
public sealed class TaskInfo : IFact
{
    public long Generation { get; set; }
    public Guid TaskId { get; set; }
    public string Title { get; set; } = "";
    public string? JiraId { get; set; }
    public long EntityVersion { get; set; }

    public bool IsPlaceholder => EntityVersion == 0;
}

/// <summary>A day Accounting closed (billing.cycle_closed), with its own figures.</summary>
public sealed class ClosedDay : IFact
{
    public long Generation { get; set; }
    public DateOnly Day { get; set; }
    public long ManagementEarningsCents { get; set; }
    public long PayoutsCents { get; set; }
    public int AccountsInNegative { get; set; }
}

/// <summary>
/// The one row that says which generation of facts the reports read (<see cref="Live"/>) and which one a rebuild is
/// filling beside it (<see cref="Building"/>); events feed both. <see cref="LastGeneration"/> only grows, so a new
/// rebuild never reuses the number of one that failed.
/// </summary>
public sealed class ReportState
{
    public const int TheRow = 1;

    public int Id { get; set; }
    public long Live { get; set; }
    public long? Building { get; set; }
    public long LastGeneration { get; set; }

    public IReadOnlyList<long> Fed => Building is { } building ? [Live, building] : [Live];
}
