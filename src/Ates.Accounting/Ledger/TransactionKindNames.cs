using Ates.Contracts;

namespace Ates.Accounting.Ledger;

public static class TransactionKindNames
{
    /// <summary>How the API, the audit log and the traces spell a movement's kind.</summary>
    public static string Name(this TransactionKind kind) => kind switch
    {
        TransactionKind.AssignFee => "assign_fee",
        TransactionKind.Reward => "reward",
        _ => "payout",
    };
}
