namespace Ates.Contracts;

/// <summary>Auth created a user: a full snapshot (CUD).</summary>
[Event("auth", "user.created", 1)]
public sealed record UserCreated(
    Guid UserId,
    string Name,
    string Email,
    UserRole Role,
    UserStatus Status,
    long EntityVersion) : IUserSnapshot;
