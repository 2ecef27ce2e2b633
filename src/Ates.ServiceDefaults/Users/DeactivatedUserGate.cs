using System.Security.Claims;
using Ates.ServiceDefaults.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Ates.ServiceDefaults.Users;

/// <summary>
/// Refuses a request whose token belongs to a user the replica knows as deactivated: a token stays
/// valid until it expires, but its owner is shut out as soon as their user.updated arrives.
/// A role changed since the token was issued is taken from the replica too, so a demoted manager
/// cannot shuffle on an old token.
/// </summary>
public static class DeactivatedUserGate
{
    /// <summary>Use after UseAuthentication. The user id is the token's <c>sub</c> claim.</summary>
    public static IApplicationBuilder UseDeactivatedUserGate<TDb>(this IApplicationBuilder app) where TDb : DbContext =>
        app.Use(async (context, next) =>
        {
            if (context.User.Identity?.IsAuthenticated == true && context.User.UserId() is { } id)
            {
                var user = await context.RequestServices.GetRequiredService<UserReplica<TDb>>().FindAsync(id, context.RequestAborted);
                if (user is { IsActive: false })
                {
                    await Results.Problem(
                        title: "Account deactivated",
                        detail: "This account has been deactivated; its sign-in is no longer accepted.",
                        statusCode: StatusCodes.Status401Unauthorized).ExecuteAsync(context);
                    return;
                }
                if (user is { IsPlaceholder: false } && context.User.Role() != user.Role)
                    context.User = WithRole(context.User, user.Role.ClaimValue());
            }
            await next(context);
        });

    static ClaimsPrincipal WithRole(ClaimsPrincipal principal, string role)
    {
        var identity = ((ClaimsIdentity)principal.Identity!).Clone();
        foreach (var claim in identity.FindAll(identity.RoleClaimType).ToList()) identity.RemoveClaim(claim);
        identity.AddClaim(new Claim(identity.RoleClaimType, role));
        return new ClaimsPrincipal(identity);
    }
}
