namespace Ates.Accounting.Ledger;

/// <summary>
/// A popug's account (its id is the popug's user id), or the company's (<see cref="CompanyId"/>). Balances are not
/// stored: they are the sum of the account's ledger entries, so they cannot drift from the ledger.
/// </summary>
public sealed class Account
{
    /// <summary>The company's side of every double entry.</summary>
    public static readonly Guid CompanyId = Guid.Empty;

    public Guid Id { get; set; }
    public DateTime OpenedAt { get; set; }

    public bool IsCompany => Id == CompanyId;
}
