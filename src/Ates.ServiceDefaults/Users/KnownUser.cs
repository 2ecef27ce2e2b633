using System.Linq.Expressions;
using Ates.Contracts;

namespace Ates.ServiceDefaults.Users;

/// <summary>
/// A service's own copy of a user, built from Auth's user events. Entity version 0 is a
/// placeholder: a business event named the user before their user.created arrived.
/// </summary>
public sealed class KnownUser
{
    public Guid Id { get; set; }
    public string Name { get; set; } = "";
    public string Email { get; set; } = "";
    public UserRole Role { get; set; } = UserRole.Worker;
    public UserStatus Status { get; set; } = UserStatus.Active;
    public long EntityVersion { get; set; }

    public bool IsPlaceholder => EntityVersion == 0;
    public bool IsActive => Status == UserStatus.Active;

    public static KnownUser Placeholder(Guid id) => new() { Id = id };

    /// <summary>
    /// The spec's eligible employee, who may be given a task and is paid for it: a user the replica has heard of (not
    /// a placeholder), active, neither admin nor manager. One expression, so a query and a check in memory agree.
    /// </summary>
    public static readonly Expression<Func<KnownUser, bool>> Assignable =
        u => u.EntityVersion > 0 && u.Status == UserStatus.Active && u.Role != UserRole.Admin && u.Role != UserRole.Manager;

    /// <summary>Everyone else: those whose open tasks must move to someone who <see cref="Assignable"/>.</summary>
    public static readonly Expression<Func<KnownUser, bool>> NotAssignable =
        Expression.Lambda<Func<KnownUser, bool>>(Expression.Not(Assignable.Body), Assignable.Parameters);

    static readonly Func<KnownUser, bool> IsAssignable = Assignable.Compile();

    public bool CanBeAssigned => IsAssignable(this);

    /// <summary>Takes the snapshot if it is newer than what is held; CUD events may arrive in any order. True when applied.</summary>
    public bool Apply(IUserSnapshot snapshot)
    {
        if (snapshot.UserId != Id) throw new ArgumentException($"Snapshot of {snapshot.UserId} applied to {Id}.", nameof(snapshot));
        if (snapshot.EntityVersion <= EntityVersion) return false;
        Name = snapshot.Name;
        Email = snapshot.Email;
        Role = snapshot.Role;
        Status = snapshot.Status;
        EntityVersion = snapshot.EntityVersion;
        return true;
    }

    public KnownUser Copy() => (KnownUser)MemberwiseClone();
}
