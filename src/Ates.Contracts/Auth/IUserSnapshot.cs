namespace Ates.Contracts;

/// <summary>What user.created and user.updated both carry: the whole user at one entity version.</summary>
public interface IUserSnapshot
{
    Guid UserId { get; }
    string Name { get; }
    string Email { get; }
    UserRole Role { get; }
    UserStatus Status { get; }
    long EntityVersion { get; }
}
