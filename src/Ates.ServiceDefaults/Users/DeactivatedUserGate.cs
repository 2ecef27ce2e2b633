using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Ates.ServiceDefaults.Users;

/// <summary>
/// Refuses a request whose token belongs to a user the replica knows as deactivated: a token stays
/// valid until it expires, but its owner is shut out as soon as their user.updated arrives.
/// </summary>
public static class DeactivatedUserGate
{
    /// <summary>Use after UseAuthentication. The user id is the token's <c>sub</c> claim.</summary>
    public static IApplicationBuilder UseDeactivatedUserGate<TDb>(this IApplicationBuilder app) where TDb : DbContext =>
        app.Use(async (context, next) =>
        {
            if (context.User.Identity?.IsAuthenticated == true && Guid.TryParse(SubjectOf(context.User), out var id))
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
            }
            await next(context);
        });

    static string? SubjectOf(ClaimsPrincipal user) =>
        user.FindFirstValue("sub") ?? user.FindFirstValue(ClaimTypes.NameIdentifier);
}
