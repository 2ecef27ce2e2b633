using System.Security.Claims;
using Ates.Auth.Data;
using Ates.ServiceDefaults.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Ates.Auth.SignIn;

/// <summary>
/// What Auth's cookie says of the popug: the id (<c>sub</c>) as Identity writes it, and the name and role as the tokens
/// spell them, so the shared page frame names the popug and shows their role's menu on Auth's pages as on the others'.
/// Written again at every security-stamp check (each minute). Only the menu reads the role: the admin pages ask
/// Auth's database (<see cref="Users.CurrentRoleHandler"/>).
/// </summary>
public sealed class CookieClaims(UserManager<AuthUser> users, IOptions<IdentityOptions> options) : UserClaimsPrincipalFactory<AuthUser>(users, options)
{
    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(AuthUser user)
    {
        var identity = await base.GenerateClaimsAsync(user);
        // Identity's name claim is the user name, which is the email.
        foreach (var name in identity.FindAll(Claims.Name).ToList()) identity.RemoveClaim(name);
        identity.AddClaim(new Claim(Claims.Name, user.Name));
        identity.AddClaim(new Claim(Claims.Role, user.Role.ClaimValue()));
        return identity;
    }
}
