using System.Security.Claims;
using Ates.Contracts;

namespace Ates.ServiceDefaults.Hosting;

/// <summary>The signed-in popug as the token or cookie names them: <c>sub</c>, <c>name</c>, <c>role</c>.</summary>
public static class CurrentUser
{
    public static Guid? UserId(this ClaimsPrincipal user) =>
        Guid.TryParse(user.FindFirstValue("sub") ?? user.FindFirstValue(ClaimTypes.NameIdentifier), out var id) ? id : null;

    public static UserRole? Role(this ClaimsPrincipal user) =>
        Enum.TryParse<UserRole>(user.FindFirstValue("role"), ignoreCase: true, out var role) ? role : null;

    public static string DisplayName(this ClaimsPrincipal user) =>
        user.FindFirstValue("name") ?? user.FindFirstValue("email") ?? "";

    public static bool IsIn(this ClaimsPrincipal user, params UserRole[] roles) => user.Role() is { } role && roles.Contains(role);

    /// <summary>The JWT/role-claim spelling of a role: "admin", "manager", "accountant", "worker".</summary>
    public static string ClaimValue(this UserRole role) => role.ToString().ToLowerInvariant();
}
