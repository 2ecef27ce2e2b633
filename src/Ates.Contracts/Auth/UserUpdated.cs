namespace Ates.Contracts;

/// <summary>Auth changed a user: a full snapshot, not a diff (CUD).</summary>
[Event("auth", "user.updated", 1)]
public sealed record UserUpdated(
    Guid UserId,
    string Name,
    string Email,
    UserRole Role,
    UserStatus Status,
    long EntityVersion) : IUserSnapshot;
