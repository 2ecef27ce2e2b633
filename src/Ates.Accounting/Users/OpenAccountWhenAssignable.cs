using Ates.Accounting.Data;
using Ates.Accounting.Ledger;
using Ates.ServiceDefaults.Users;

namespace Ates.Accounting.Users;

/// <summary>
/// Opens an account for everyone who can be assigned tasks, when the users replica learns of them. Two instances
/// applying two snapshots of one user at once cannot let the older win: the entity version is the replica row's
/// concurrency token, so the later commit fails and its batch is handled again one event at a time, against the newer
/// snapshot.
/// </summary>
public sealed class OpenAccountWhenAssignable(LedgerBook ledger) : IUserChangeReaction<AccountingDb>
{
    public async Task ReactAsync(UserChange change, CancellationToken ct)
    {
        if (change.After.CanBeAssigned) await ledger.EnsureAccountAsync(change.After.Id, ct);
    }
}
