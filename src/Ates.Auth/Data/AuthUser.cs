using Ates.Contracts;
using Microsoft.AspNetCore.Identity;

namespace Ates.Auth.Data;

/// <summary>An account. Identity keeps the password hash and lockout; the rest is what user events carry.</summary>
public sealed class AuthUser : IdentityUser<Guid>
{
    public string Name { get; set; } = "";
    public UserRole Role { get; set; }
    public UserStatus Status { get; set; }

    /// <summary>Incremented on every change; consumers apply a snapshot only if it is newer than theirs.</summary>
    public long EntityVersion { get; set; }
}
