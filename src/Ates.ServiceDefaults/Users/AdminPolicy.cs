using Ates.Contracts;
using Ates.ServiceDefaults.Hosting;
using Microsoft.AspNetCore.Authorization;

namespace Ates.ServiceDefaults.Users;

/// <summary>
/// The one admin policy of every service: a signed-in user who is, right now, an active admin. "Right now" is the
/// users replica's word in Tasks, Accounting and Analytics (the deactivated-user gate refuses the deactivated and puts
/// the replica's role on the principal, <see cref="ReplicaRoleHandler"/>), and Auth's own database's in Auth, which
/// registers its own handler of <see cref="CurrentRoleRequirement"/>.
/// </summary>
public static class AdminPolicy
{
    public const string Name = "admin";

    /// <summary>The policy under <paramref name="name"/>, authenticated by <paramref name="scheme"/> (the default scheme if null).</summary>
    public static AuthorizationBuilder AddAdminPolicy(this AuthorizationBuilder authorization, string name = Name, string? scheme = null) =>
        authorization.AddPolicy(name, p =>
        {
            if (scheme is not null) p.AddAuthenticationSchemes(scheme);
            p.RequireAuthenticatedUser().AddRequirements(new CurrentRoleRequirement(UserRole.Admin));
        });
}

/// <summary>The user holds <paramref name="Role"/> now, whatever their token said when it was issued.</summary>
public sealed record CurrentRoleRequirement(UserRole Role) : IAuthorizationRequirement;

/// <summary>Behind the deactivated-user gate the principal's role is already the replica's current one.</summary>
public sealed class ReplicaRoleHandler : AuthorizationHandler<CurrentRoleRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, CurrentRoleRequirement requirement)
    {
        if (context.User.IsIn(requirement.Role)) context.Succeed(requirement);
        return Task.CompletedTask;
    }
}
