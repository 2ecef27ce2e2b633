using System.Security.Claims;
using Ates.Auth.Data;
using Ates.Auth.Users;
using Ates.Contracts;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Ates.Auth.Connect;

/// <summary>
/// The OpenID Connect endpoints. OpenIddict validates each request (client, redirect uri, PKCE, grant) before
/// these run ("passthrough"); they only decide who the user is and what the token says.
/// </summary>
public static class ConnectEndpoints
{
    public static void MapConnect(this IEndpointRouteBuilder app)
    {
        app.MapMethods("/connect/authorize", [HttpMethods.Get, HttpMethods.Post], Authorize).ExcludeFromDescription();
        app.MapPost("/connect/token", Token).ExcludeFromDescription().DisableAntiforgery();
        app.MapMethods("/connect/userinfo", [HttpMethods.Get, HttpMethods.Post], UserInfo).ExcludeFromDescription().DisableAntiforgery();
        app.MapMethods("/connect/endsession", [HttpMethods.Get, HttpMethods.Post], EndSession).ExcludeFromDescription().DisableAntiforgery();
    }

    static async Task<IResult> Authorize(HttpContext http, UserManager<AuthUser> users, SignInManager<AuthUser> signIn)
    {
        var request = http.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("Not an OpenID Connect request.");
        var cookie = await http.AuthenticateAsync(IdentityConstants.ApplicationScheme);
        var user = cookie.Succeeded ? await users.GetUserAsync(cookie.Principal) : null;
        if (user is not { Status: UserStatus.Active })
        {
            if (user is not null) await signIn.SignOutAsync();
            if (request.HasPromptValue(PromptValues.None))
                return Refuse(Errors.LoginRequired, "The user is not signed in.");
            // To the sign-in page, and back here with the same parameters afterwards.
            var parameters = http.Request.HasFormContentType ? http.Request.Form.ToList() : http.Request.Query.ToList();
            return Results.Challenge(
                new AuthenticationProperties { RedirectUri = http.Request.PathBase + http.Request.Path + QueryString.Create(parameters) },
                [IdentityConstants.ApplicationScheme]);
        }
        // Every client is first-party (the aTES services), so there is no consent screen.
        return Results.SignIn(UserClaims.For(user, request.GetScopes()), authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    static async Task<IResult> Token(HttpContext http, UserManager<AuthUser> users, SignInManager<AuthUser> signIn)
    {
        var request = http.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("Not an OpenID Connect request.");
        if (request.IsPasswordGrantType())
        {
            // OpenIddict has already refused this grant unless Auth:PasswordGrant is on and the client may use it.
            var user = await users.FindByEmailAsync(request.Username ?? "");
            if (user is null) return Refuse(Errors.InvalidGrant, "The email or password is wrong.");
            var check = await signIn.CheckPasswordSignInAsync(user, request.Password ?? "", lockoutOnFailure: true);
            if (check.IsLockedOut) return Refuse(Errors.InvalidGrant, "Too many failed attempts: the account is locked for a few minutes.");
            if (!check.Succeeded) return Refuse(Errors.InvalidGrant, "The email or password is wrong.");
            if (user.Status != UserStatus.Active) return Refuse(Errors.InvalidGrant, "The account is deactivated.");
            return Results.SignIn(UserClaims.For(user, request.GetScopes()), authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        }
        if (request.IsAuthorizationCodeGrantType() || request.IsRefreshTokenGrantType())
        {
            // The code or refresh token is valid (OpenIddict checked it); the user may have changed since it was issued.
            var granted = await http.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
            var user = granted.Principal?.GetClaim(Claims.Subject) is { } id ? await users.FindByIdAsync(id) : null;
            if (user is not { Status: UserStatus.Active }) return Refuse(Errors.InvalidGrant, "The account no longer exists or is deactivated.");
            return Results.SignIn(UserClaims.For(user, granted.Principal!.GetScopes()), authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        }
        return Refuse(Errors.UnsupportedGrantType, "This grant type is not supported.");
    }

    static async Task<IResult> UserInfo(HttpContext http, UserManager<AuthUser> users)
    {
        var token = await http.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        var user = token.Principal?.GetClaim(Claims.Subject) is { } id ? await users.FindByIdAsync(id) : null;
        if (user is not { Status: UserStatus.Active })
            return Results.Challenge(Properties(Errors.InvalidToken, "The account no longer exists or is deactivated."),
                [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);

        var principal = token.Principal!;
        var claims = new Dictionary<string, object> { [Claims.Subject] = user.Id.ToString() };
        if (principal.HasScope(Scopes.Profile)) claims[Claims.Name] = user.Name;
        if (principal.HasScope(Scopes.Email)) claims[Claims.Email] = user.Email!;
        if (principal.HasScope(Scopes.Roles)) claims[Claims.Role] = Roles.Name(user.Role);
        return Results.Ok(claims);
    }

    static async Task<IResult> EndSession(HttpContext http, SignInManager<AuthUser> signIn, Hosting.AuthOptions options)
    {
        await signIn.SignOutAsync();
        SignIn.ServiceSessions.EndAll(http, options);
        // OpenIddict redirects to the client's post_logout_redirect_uri when it is registered, else here.
        return Results.SignOut(new AuthenticationProperties { RedirectUri = "/signin" }, [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
    }

    static IResult Refuse(string error, string description) =>
        Results.Forbid(Properties(error, description), [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);

    static AuthenticationProperties Properties(string error, string description) => new(new Dictionary<string, string?>
    {
        [OpenIddictServerAspNetCoreConstants.Properties.Error] = error,
        [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = description,
    });
}
