using Ates.Auth.Data;
using Ates.Contracts;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;
using OpenIddict.Abstractions;

namespace Ates.Auth.Users;

public static class AuthPolicies
{
    /// <summary>A bearer token of a user who is, right now, an active admin.</summary>
    public const string Admin = "admin";

    /// <summary>The same rule for the admin pages, signed in with Auth's cookie.</summary>
    public const string AdminPage = "admin-page";
}

/// <summary>The role and status are read from the database, not the token: a demoted or deactivated admin loses access at once.</summary>
public sealed record CurrentRoleRequirement(UserRole Role) : IAuthorizationRequirement;

public sealed class CurrentRoleHandler(AuthDb db) : AuthorizationHandler<CurrentRoleRequirement>
{
    protected override async Task HandleRequirementAsync(AuthorizationHandlerContext context, CurrentRoleRequirement requirement)
    {
        if (!Guid.TryParse(context.User.FindFirst(OpenIddictConstants.Claims.Subject)?.Value, out var id)) return;
        var user = await db.Users.AsNoTracking().Where(u => u.Id == id).Select(u => new { u.Role, u.Status }).SingleOrDefaultAsync();
        if (user is { Status: UserStatus.Active } && user.Role == requirement.Role) context.Succeed(requirement);
    }
}
