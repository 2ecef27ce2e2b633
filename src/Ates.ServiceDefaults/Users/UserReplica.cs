using System.Collections.Concurrent;
using Ates.Contracts;
using Microsoft.EntityFrameworkCore;

namespace Ates.ServiceDefaults.Users;

/// <summary>A change the replica took: the user before (null if unknown until now) and after.</summary>
public sealed record UserChange(KnownUser? Before, KnownUser After);

/// <summary>The service's replica of users, kept in its own database (table <c>users</c>).</summary>
public sealed class UserReplica<TDb>(TDb db) where TDb : DbContext
{
    /// <summary>Applies a user.created / user.updated snapshot. Null when it was stale (an older version than held).</summary>
    public async Task<UserChange?> ApplyAsync(IUserSnapshot snapshot, CancellationToken ct)
    {
        var user = await db.Set<KnownUser>().FindAsync([snapshot.UserId], ct);
        if (user is null)
        {
            user = new KnownUser { Id = snapshot.UserId };
            user.Apply(snapshot);
            db.Add(user);
            return new UserChange(null, user);
        }
        var before = user.Copy();
        return user.Apply(snapshot) ? new UserChange(before, user) : null;
    }

    /// <summary>The user, or a placeholder that a later user event fills in: no event is refused for arriving first.</summary>
    public async Task<KnownUser> EnsureKnownAsync(Guid id, CancellationToken ct)
    {
        var user = await db.Set<KnownUser>().FindAsync([id], ct);
        if (user is not null) return user;
        user = KnownUser.Placeholder(id);
        db.Add(user);
        return user;
    }

    /// <summary>
    /// Asked on every signed-in request (<see cref="DeactivatedUserGate"/>): compiled once rather than looked up in
    /// EF Core's query cache each time. A compiled query keeps the provider of its first run, so one per provider (a
    /// test process has the same context on SQLite and on PostgreSQL).
    /// </summary>
    public Task<KnownUser?> FindAsync(Guid id, CancellationToken ct) =>
        FindUntracked.GetOrAdd(db.Database.ProviderName ?? "", _ =>
            EF.CompileAsyncQuery((TDb db, Guid id, CancellationToken ct) => db.Set<KnownUser>().AsNoTracking().FirstOrDefault(u => u.Id == id)))(db, id, ct);

    static readonly ConcurrentDictionary<string, Func<TDb, Guid, CancellationToken, Task<KnownUser?>>> FindUntracked = new();
}

/// <summary>
/// What a service does when its replica takes a change of a user (Tasks reassigns a leaver's tasks, Accounting opens an
/// account), in the same transaction. Registered with <see cref="UserReplicaRegistration.ReactToUserChanges{TDb, TReaction}"/>.
/// </summary>
public interface IUserChangeReaction<TDb> where TDb : DbContext
{
    Task ReactAsync(UserChange change, CancellationToken ct);
}

/// <summary>
/// The one handler of user.created and user.updated in every service: keeps the replica current, then lets the
/// service's reactions see the change. A stale snapshot (older than the replica's) changes nothing and wakes none.
/// Two instances applying two snapshots of one user at once cannot let the older win: the entity version is the
/// replica row's concurrency token, so the later commit fails and its batch is handled again one event at a time.
/// </summary>
public sealed class UserSnapshotHandler<TDb>(UserReplica<TDb> replica, IEnumerable<IUserChangeReaction<TDb>> reactions)
    : Ates.Messaging.Inbox.IEventHandler<UserCreated>, Ates.Messaging.Inbox.IEventHandler<UserUpdated>
    where TDb : DbContext
{
    public Task HandleAsync(UserCreated @event, Ates.Messaging.Inbox.EventContext context, CancellationToken ct) => ApplyAsync(@event, ct);

    public Task HandleAsync(UserUpdated @event, Ates.Messaging.Inbox.EventContext context, CancellationToken ct) => ApplyAsync(@event, ct);

    async Task ApplyAsync(IUserSnapshot snapshot, CancellationToken ct)
    {
        if (await replica.ApplyAsync(snapshot, ct) is not { } change) return;
        foreach (var reaction in reactions) await reaction.ReactAsync(change, ct);
    }
}

public static class UserReplicaModel
{
    public static ModelBuilder AddUserReplica(this ModelBuilder model)
    {
        model.Entity<KnownUser>(e =>
        {
            e.ToTable("users");
            e.HasKey(u => u.Id);
            e.Property(u => u.Id).ValueGeneratedNever();
            // Two instances applying two snapshots of one user at once: the later commit fails instead of the older winning.
            e.Property(u => u.EntityVersion).IsConcurrencyToken();
            e.Property(u => u.Role).HasConversion<string>().HasMaxLength(20);
            e.Property(u => u.Status).HasConversion<string>().HasMaxLength(20);
            e.Ignore(u => u.IsPlaceholder);
            e.Ignore(u => u.IsActive);
        });
        return model;
    }
}
