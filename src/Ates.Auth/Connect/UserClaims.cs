using System.Collections.Immutable;
using System.Security.Claims;
using Ates.Auth.Data;
using Ates.Auth.Users;
using Ates.ServiceDefaults.SignIn;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Ates.Auth.Connect;

/// <summary>What a token says about a user: always the id (sub), and name, email and role.</summary>
public static class UserClaims
{
    /// <summary>The scopes a client may ask for: who the popug is, and the APIs the access token is for (<see cref="Audiences"/>).</summary>
    public static readonly string[] Scopes = [OpenIddictConstants.Scopes.OpenId, OpenIddictConstants.Scopes.Profile,
        OpenIddictConstants.Scopes.Email, OpenIddictConstants.Scopes.Roles, OpenIddictConstants.Scopes.OfflineAccess, .. Audiences.All];

    public static ClaimsPrincipal For(AuthUser user, ImmutableArray<string> requestedScopes)
    {
        var identity = new ClaimsIdentity(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme, Claims.Name, Claims.Role);
        identity.SetClaim(Claims.Subject, user.Id.ToString())
            .SetClaim(Claims.Name, user.Name)
            .SetClaim(Claims.Email, user.Email)
            .SetClaim(Claims.Role, Roles.Name(user.Role));
        identity.SetScopes(requestedScopes.Intersect(Scopes));
        // The access token's audiences are the APIs asked for; without one it opens no service's API.
        identity.SetResources(requestedScopes.Intersect(Audiences.All));
        // The access token always carries name, email and role: the other services authorise by role and show the name.
        // The identity token carries them only for the scopes asked for, as OpenID Connect says.
        identity.SetDestinations(claim => claim.Type switch
        {
            Claims.Name when identity.HasScope(OpenIddictConstants.Scopes.Profile) => [Destinations.AccessToken, Destinations.IdentityToken],
            Claims.Email when identity.HasScope(OpenIddictConstants.Scopes.Email) => [Destinations.AccessToken, Destinations.IdentityToken],
            Claims.Role when identity.HasScope(OpenIddictConstants.Scopes.Roles) => [Destinations.AccessToken, Destinations.IdentityToken],
            Claims.Subject => [Destinations.AccessToken, Destinations.IdentityToken],
            _ => [Destinations.AccessToken],
        });
        return new ClaimsPrincipal(identity);
    }
}
