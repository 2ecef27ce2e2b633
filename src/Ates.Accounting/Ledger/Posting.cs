using Ates.Contracts;

namespace Ates.Accounting.Ledger;

/// <summary>The rule of a posting, free of I/O: the signed amount of each kind and the two entries of a movement.</summary>
public static class Posting
{
    /// <summary>The change to the popug's balance: an assign fee and a payout are debits, a reward a credit.</summary>
    public static decimal SignedAmount(TransactionKind kind, decimal amount)
    {
        if (amount <= 0) throw new ArgumentOutOfRangeException(nameof(amount), amount, "A posting moves a positive sum.");
        if (decimal.Round(amount, 2) != amount) throw new ArgumentOutOfRangeException(nameof(amount), amount, "Money is in whole cents.");
        return kind == TransactionKind.Reward ? amount : -amount;
    }

    /// <summary>The popug's entry and the company's, which sum to zero: double entry.</summary>
    public static (LedgerEntry Popug, LedgerEntry Company) Entries(LedgerTransaction transaction) =>
        (new LedgerEntry { TransactionId = transaction.Id, AccountId = transaction.AccountId, Amount = transaction.Amount, Kind = transaction.Kind, Day = transaction.Day },
         new LedgerEntry { TransactionId = transaction.Id, AccountId = Account.CompanyId, Amount = -transaction.Amount, Kind = transaction.Kind, Day = transaction.Day });

    public static string EventKey(Guid eventId) => $"event:{eventId}";

    public static string PayoutKey(DateOnly day, Guid accountId) => $"payout:{day:yyyy-MM-dd}:{accountId}";
}
