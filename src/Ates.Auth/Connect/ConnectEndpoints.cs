using System.Security.Claims;
using Ates.Auth.Data;
using Ates.Auth.SignIn;
using Ates.Auth.Users;
using Ates.Contracts;
using Ates.ServiceDefaults.Pages;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
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

    static async Task<IResult> Token(HttpContext http, UserManager<AuthUser> users, PasswordCheck passwords)
    {
        var request = http.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("Not an OpenID Connect request.");
        if (request.IsPasswordGrantType())
        {
            // OpenIddict has already refused this grant unless Auth:PasswordGrant is on and the client may use it.
            var (user, wait, lockedOut) = await passwords.CheckAsync(http, request.Username, request.Password);
            if (wait is not null)
                return Results.Json(new Dictionary<string, string>
                {
                    [Parameters.Error] = "too_many_requests",
                    [Parameters.ErrorDescription] = "Too many failed sign-ins from this address: wait for the time in Retry-After.",
                }, statusCode: StatusCodes.Status429TooManyRequests);
            if (user is null)
                return Refuse(Errors.InvalidGrant, lockedOut
                    ? "Too many failed attempts: the account is locked for a few minutes." : "The email or password is wrong.");
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

    /// <summary>
    /// Ends the single sign-on session and every service's. A link on another site must not do that, so it goes ahead
    /// at once only when the request proves it comes from the popug's own client: an <c>id_token_hint</c> issued to the
    /// signed-in popug (what the services' sign-out sends). Otherwise the popug confirms on Auth's own form, which
    /// carries an antiforgery token.
    /// </summary>
    static async Task<IResult> EndSession(HttpContext http, SignInManager<AuthUser> signIn, IAntiforgery antiforgery, Hosting.AuthOptions options)
    {
        var request = http.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("Not an OpenID Connect request.");
        var session = await http.AuthenticateAsync(IdentityConstants.ApplicationScheme);
        // OpenIddict has validated the hint (issuer, signature) before this runs; its principal is the hint's.
        var hint = (await http.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme)).Principal?.GetClaim(Claims.Subject);
        var confirmed = HttpMethods.IsPost(http.Request.Method) && http.Request.HasFormContentType
            && http.Request.Form.ContainsKey(ConfirmField) && await antiforgery.IsRequestValidAsync(http);
        var signedIn = session.Principal?.FindFirstValue(Claims.Subject);
        if (!confirmed && (hint is null || (signedIn is not null && hint != signedIn)))
            return ConfirmSignOut(http, request);

        await signIn.SignOutAsync();
        ServiceSessions.EndAll(http, options);
        // OpenIddict redirects to the client's post_logout_redirect_uri when it is registered, else here.
        return Results.SignOut(new AuthenticationProperties { RedirectUri = "/signin" }, [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
    }

    const string ConfirmField = "confirm";

    /// <summary>"Sign out of aTES?": posts the same end-session request back, with the form's token.</summary>
    static RazorComponentResult<SignOutPage> ConfirmSignOut(HttpContext http, OpenIddictRequest request)
    {
        var fields = new[] { Parameters.ClientId, Parameters.PostLogoutRedirectUri, Parameters.State, Parameters.IdTokenHint }
            .Select(name => KeyValuePair.Create(name, request.GetParameter(name)?.ToString() ?? ""))
            .Where(field => field.Value.Length > 0).ToList();
        return new(new { Base = http.Local(""), Fields = fields, Confirm = ConfirmField });
    }

    static IResult Refuse(string error, string description) =>
        Results.Forbid(Properties(error, description), [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);

    static AuthenticationProperties Properties(string error, string description) => new(new Dictionary<string, string?>
    {
        [OpenIddictServerAspNetCoreConstants.Properties.Error] = error,
        [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = description,
    });
}
