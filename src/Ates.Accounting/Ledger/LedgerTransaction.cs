using Ates.Contracts;

namespace Ates.Accounting.Ledger;

/// <summary>
/// One money movement: two <see cref="LedgerEntry"/> rows (the popug's and the company's) that sum to zero.
/// <see cref="Key"/> is unique: "event:&lt;event id&gt;" for a posting caused by a task event, "payout:&lt;day&gt;:&lt;account&gt;"
/// for a payout, so a redelivered event or a repeated close cannot post twice.
/// </summary>
public sealed class LedgerTransaction
{
    public Guid Id { get; set; }
    public required string Key { get; set; }
    public TransactionKind Kind { get; set; }

    /// <summary>The popug's account.</summary>
    public Guid AccountId { get; set; }

    /// <summary>The signed change to the popug's balance (fee and payout negative, reward positive).</summary>
    public decimal Amount { get; set; }

    public Guid? TaskId { get; set; }

    /// <summary>The billing day the movement belongs to.</summary>
    public DateOnly Day { get; set; }

    public DateTime At { get; set; }
}

/// <summary>One side of a transaction. Denormalised kind and day let balances per day be summed from entries alone.</summary>
public sealed class LedgerEntry
{
    public long Id { get; set; }
    public Guid TransactionId { get; set; }
    public Guid AccountId { get; set; }
    public decimal Amount { get; set; }
    public TransactionKind Kind { get; set; }
    public DateOnly Day { get; set; }
}
