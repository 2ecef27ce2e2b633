namespace Ates.Contracts;

/// <summary>
/// Accounting posted a money movement to a popug's account (business event).
/// <see cref="Amount"/> is the signed change to the popug's balance: negative for an assign fee
/// and a payout, positive for a reward. <see cref="TaskId"/> is null for a payout.
/// </summary>
[Event("accounting", "transaction.applied", 1)]
public sealed record TransactionApplied(
    Guid TransactionId,
    Guid AccountId,
    TransactionKind Kind,
    decimal Amount,
    Guid? TaskId,
    DateOnly Day);
