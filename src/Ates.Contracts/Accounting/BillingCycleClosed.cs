namespace Ates.Contracts;

/// <summary>
/// Accounting closed a billing day (business event). Note: record equality compares
/// <see cref="Accounts"/> by reference; compare serialised JSON to compare contents.
/// </summary>
[Event("accounting", "billing.cycle_closed", 1)]
public sealed record BillingCycleClosed(
    DateOnly Day,
    decimal ManagementEarnings,
    decimal PayoutsTotal,
    int AccountsInNegative,
    IReadOnlyList<BillingCycleClosed.AccountCycle> Accounts)
{
    /// <summary>One account's day: <c>Closing = Opening + Earned - Paid</c>.</summary>
    public sealed record AccountCycle(
        Guid AccountId,
        decimal Opening,
        decimal Earned,
        decimal Paid,
        decimal Closing);
}
