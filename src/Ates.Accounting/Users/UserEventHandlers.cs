using Ates.Accounting.Data;
using Ates.Accounting.Ledger;
using Ates.Contracts;
using Ates.Messaging.Inbox;
using Ates.ServiceDefaults.Users;

namespace Ates.Accounting.Users;

/// <summary>
/// Keeps the users replica, and opens an account for everyone who can be assigned tasks. Two instances applying two
/// snapshots of one user at once cannot let the older win: the entity version is the row's concurrency token, so the
/// later commit fails and its batch is handled again one event at a time, against the newer snapshot.
/// </summary>
public sealed class UserEventHandlers(UserReplica<AccountingDb> replica, LedgerBook ledger)
    : IEventHandler<UserCreated>, IEventHandler<UserUpdated>
{
    public Task HandleAsync(UserCreated e, EventContext context, CancellationToken ct) => ApplyAsync(e, ct);

    public Task HandleAsync(UserUpdated e, EventContext context, CancellationToken ct) => ApplyAsync(e, ct);

    async Task ApplyAsync(IUserSnapshot snapshot, CancellationToken ct)
    {
        if (await replica.ApplyAsync(snapshot, ct) is { After: var user } && CanBeAssigned(user))
            await ledger.EnsureAccountAsync(user.Id, ct);
    }

    /// <summary>The spec's eligible employee: active, neither admin nor manager.</summary>
    public static bool CanBeAssigned(KnownUser user) => user.IsActive && user.Role is not (UserRole.Admin or UserRole.Manager);
}
