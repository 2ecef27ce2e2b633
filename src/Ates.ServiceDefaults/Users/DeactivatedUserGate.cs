using System.Security.Claims;
using Ates.ServiceDefaults.Hosting;
using Ates.ServiceDefaults.Pages;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Ates.ServiceDefaults.Users;

/// <summary>
/// Refuses a request whose token belongs to a user the replica knows as deactivated: a token stays
/// valid until it expires, but its owner is shut out as soon as their user.updated arrives, and a page
/// session ends with it. A role changed since the token was issued is taken from the replica too, so a
/// demoted manager cannot shuffle on an old token. A user the replica does not know yet (their
/// user.created is still on its way) is asked to come back in a moment rather than let in on the
/// token's word alone: the replica, not the token, says who is active and in which role.
/// </summary>
public static class DeactivatedUserGate
{
    /// <summary>A replica learns of a new user within a second or so of Auth's commit.</summary>
    const string RetryUnknownSeconds = "2";

    /// <summary>Use after UseAuthentication. The user id is the token's <c>sub</c> claim.</summary>
    public static IApplicationBuilder UseDeactivatedUserGate<TDb>(this IApplicationBuilder app) where TDb : DbContext =>
        app.Use(async (context, next) =>
        {
            if (context.User.Identity?.IsAuthenticated == true && context.User.UserId() is { } id)
            {
                var user = await context.RequestServices.GetRequiredService<UserReplica<TDb>>().FindAsync(id, context.RequestAborted);
                if (user is null or { IsPlaceholder: true })
                {
                    context.Response.Headers.RetryAfter = RetryUnknownSeconds;
                    await StatusPages.RefuseAsync(context, StatusCodes.Status503ServiceUnavailable, "Account not known here yet",
                        "This service has not yet received your account from Auth; try again in a moment.");
                    return;
                }
                if (!user.IsActive)
                {
                    // A page session ends here and now, rather than being refused on every page until it expires.
                    if (context.Request.Headers.Authorization.Count == 0
                        && await context.RequestServices.GetRequiredService<IAuthenticationSchemeProvider>().GetSchemeAsync(CookieAuthenticationDefaults.AuthenticationScheme) is not null)
                        await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
                    await StatusPages.RefuseAsync(context, StatusCodes.Status401Unauthorized, "Account deactivated",
                        "This account has been deactivated; its sign-in is no longer accepted.");
                    return;
                }
                if (context.User.Role() != user.Role)
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
