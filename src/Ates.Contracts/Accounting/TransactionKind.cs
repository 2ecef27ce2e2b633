namespace Ates.Contracts;

/// <summary>A money movement's kind. JSON: <c>assign_fee</c>, <c>reward</c>, <c>payout</c>.</summary>
public enum TransactionKind
{
    /// <summary>Debited on each assignment (negative amount).</summary>
    AssignFee,

    /// <summary>Credited on completion (positive amount).</summary>
    Reward,

    /// <summary>A positive balance paid out at the end of the day (negative amount, no task).</summary>
    Payout,
}
