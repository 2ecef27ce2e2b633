using Ates.Auth.Data;
using Ates.Contracts;
using Ates.ServiceDefaults.Users;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;
using OpenIddict.Abstractions;

namespace Ates.Auth.Users;

public static class AuthPolicies
{
    /// <summary><see cref="AdminPolicy"/> for the admin pages, signed in with Auth's cookie rather than a bearer token.</summary>
    public const string AdminPage = "admin-page";
}

/// <summary>Auth's word on a user's current role: its own database, not the token, so a demoted or deactivated admin loses access at once.</summary>
public sealed class CurrentRoleHandler(AuthDb db) : AuthorizationHandler<CurrentRoleRequirement>
{
    protected override async Task HandleRequirementAsync(AuthorizationHandlerContext context, CurrentRoleRequirement requirement)
    {
        if (!Guid.TryParse(context.User.FindFirst(OpenIddictConstants.Claims.Subject)?.Value, out var id)) return;
        var user = await db.Users.AsNoTracking().Where(u => u.Id == id).Select(u => new { u.Role, u.Status }).SingleOrDefaultAsync();
        if (user is { Status: UserStatus.Active } && user.Role == requirement.Role) context.Succeed(requirement);
    }
}
