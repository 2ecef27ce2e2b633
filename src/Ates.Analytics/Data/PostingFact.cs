using Ates.Contracts;

namespace Ates.Analytics.Data;

/// <summary>
/// One money movement on a popug's account, as transaction.applied told it. Kept in whole cents so that every
/// database sums and orders it exactly (SQLite has no decimal type); <see cref="Amount"/> is the decimal view.
/// </summary>
public sealed class PostingFact : IFact
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
