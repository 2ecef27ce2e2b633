using Ates.Accounting.Billing;
using Ates.Accounting.Ledger;
using Ates.Accounting.Data;
using Ates.Contracts;
using Ates.Messaging.Inbox;
using Ates.ServiceDefaults.Users;

namespace Ates.Accounting.Users;

/// <summary>Keeps the users replica, and opens an account for everyone who can be assigned tasks.</summary>
public sealed class UserEventHandlers(UserReplica<AccountingDb> replica, LedgerBook ledger, BillingDays days)
    : IEventHandler<UserCreated>, IEventHandler<UserUpdated>
{
    public Task HandleAsync(UserCreated e, EventContext context, CancellationToken ct) => ApplyAsync(e, ct);

    public Task HandleAsync(UserUpdated e, EventContext context, CancellationToken ct) => ApplyAsync(e, ct);

    async Task ApplyAsync(IUserSnapshot snapshot, CancellationToken ct)
    {
        // In turn with every other writer (see BillingDays.LockOpenDayAsync): two instances applying two snapshots of
        // one user at once would otherwise let the older overwrite the newer.
        await days.LockOpenDayAsync(ct);
        if (await replica.ApplyAsync(snapshot, ct) is { After: var user } && CanBeAssigned(user))
            await ledger.EnsureAccountAsync(user.Id, ct);
    }

    /// <summary>The spec's eligible employee: active, neither admin nor manager.</summary>
    public static bool CanBeAssigned(KnownUser user) => user.IsActive && user.Role is not (UserRole.Admin or UserRole.Manager);
}
