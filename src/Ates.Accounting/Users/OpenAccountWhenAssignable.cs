using Ates.Accounting.Data;
using Ates.Accounting.Ledger;
using Ates.ServiceDefaults.Users;

namespace Ates.Accounting.Users;

/// <summary>
/// Opens an account for everyone who can be assigned tasks, when the users replica learns of them.
/// </summary>
public sealed class OpenAccountWhenAssignable(LedgerBook ledger) : IUserChangeReaction<AccountingDb>
{
    public async Task ReactAsync(UserChange change, CancellationToken ct)
    {
        if (change.After.CanBeAssigned) await ledger.EnsureAccountAsync(change.After.Id, ct);
    }
}
