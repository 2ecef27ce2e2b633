using System.Globalization;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Ates.ServiceDefaults.Pages;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace Ates.ServiceDefaults.SignIn;

/// <summary>How a service trusts Auth: its address, and the client its pages sign in as.</summary>
public sealed class SignInOptions
{
    /// <summary>Auth's base address, the token issuer (e.g. http://localhost:5000/auth/ behind the gateway).</summary>
    public string Authority { get; set; } = "";

    /// <summary>The public client (authorization code + PKCE) registered in Auth for this service's pages.</summary>
    public string ClientId { get; set; } = "";

    /// <summary>Plain HTTP is allowed for Auth's metadata on loopback and in the one-process mode only.</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    /// <summary>Requests under this path are an API: bearer tokens, and 401 instead of a redirect to sign in.</summary>
    public string ApiPrefix { get; set; } = "/api";

    /// <summary>
    /// Other services' APIs the pages call with the popug's own token (<see cref="Audiences"/>); the pages' token is
    /// asked for this service's API and these.
    /// </summary>
    public List<string> CallsApis { get; set; } = [];

    /// <summary>
    /// The longest a page session lasts from its sign-in, however active: then the page goes back to Auth, which
    /// signs the popug in again at once while Auth's own session lasts, or asks for the password.
    /// </summary>
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(8);

    /// <summary>How far past its expiry an access token is still taken: the services and Auth keep one time.</summary>
    public TimeSpan TokenClockSkew { get; set; } = TimeSpan.FromMinutes(1);
}

public static class SignInSetup
{
    public const string Scheme = "ates";

    /// <summary>The page session's item that holds when its popug signed in through Auth.</summary>
    const string SignedInAt = "ates.signed_in_at";

    /// <summary>
    /// Bearer tokens for the API, a cookie for the pages with OpenID Connect (code + PKCE) to get one.
    /// Claims keep their JWT names: <c>sub</c> is the user id, <c>role</c> the role.
    /// </summary>
    public static AuthenticationBuilder AddAtesSignIn(this IServiceCollection services, SignInOptions options)
    {
        return services
            .AddAuthentication(o =>
            {
                o.DefaultScheme = Scheme;
                o.DefaultChallengeScheme = Scheme;
            })
            .AddPolicyScheme(Scheme, "aTES sign-in", o => o.ForwardDefaultSelector = context =>
                IsApi(context, options) ? JwtBearerDefaults.AuthenticationScheme : CookieAuthenticationDefaults.AuthenticationScheme)
            .AddJwtBearer(o =>
            {
                o.Authority = options.Authority;
                o.RequireHttpsMetadata = options.RequireHttpsMetadata;
                o.MapInboundClaims = false;
                // Only access tokens (an ID token is typed "JWT", not "at+jwt") issued for this service: the client
                // id is the service's name, its audience.
                o.TokenValidationParameters.ValidTypes = ["at+jwt"];
                o.TokenValidationParameters.ValidAudience = options.ClientId;
                o.TokenValidationParameters.ClockSkew = options.TokenClockSkew;
                o.TokenValidationParameters.NameClaimType = "name";
                o.TokenValidationParameters.RoleClaimType = "role";
            })
            .AddCookie(o =>
            {
                // Named and placed so that Auth's sign-out, on the same origin, can end this session too.
                o.Cookie.Name = $"ates.{options.ClientId}";
                o.Cookie.Path = "/";
                // A working day, as Auth's own session; sliding, so an active page stays signed in.
                o.ExpireTimeSpan = TimeSpan.FromHours(8);
                o.SlidingExpiration = true;
                o.Events.OnSigningIn = context =>
                {
                    context.Properties.Items[SignedInAt] = context.Options.TimeProvider!.GetUtcNow().ToString("O", CultureInfo.InvariantCulture);
                    return Task.CompletedTask;
                };
                // Sliding renews the cookie but not the sign-in: past SessionLifetime the session ends, so that it
                // cannot live on in this service alone after Auth's has ended. Its access token is refreshed as it
                // runs out, and the session ends if Auth refuses that.
                o.Events.OnValidatePrincipal = async context =>
                {
                    var signedIn = context.Properties.Items.TryGetValue(SignedInAt, out var at)
                        && DateTimeOffset.TryParse(at, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var when) ? when : (DateTimeOffset?)null;
                    if (signedIn is { } since && context.Options.TimeProvider!.GetUtcNow() - since <= options.SessionLifetime
                        && await PageTokenRefresh.RefreshIfDueAsync(context)) return;
                    context.RejectPrincipal();
                    await context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
                };
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Lax;
                o.ForwardChallenge = OpenIdConnectDefaults.AuthenticationScheme;
                // A signed-in popug of the wrong role gets a 403 (the "not for your role" page), not a redirect to a
                // nonexistent access-denied path.
                o.Events.OnRedirectToAccessDenied = context =>
                {
                    context.Response.StatusCode = StatusCodes.Status403Forbidden;
                    return Task.CompletedTask;
                };
            })
            .AddOpenIdConnect(o =>
            {
                o.Authority = options.Authority;
                o.RequireHttpsMetadata = options.RequireHttpsMetadata;
                o.ClientId = options.ClientId;
                o.ResponseType = OpenIdConnectResponseType.Code;
                // The code comes back in the query, not a self-posting form: it is single-use and PKCE-bound.
                o.ResponseMode = OpenIdConnectResponseMode.Query;
                // The return is then a top-level GET, which carries Lax cookies; and the one-process mode is
                // plain HTTP on localhost, where Secure-only correlation cookies would never come back.
                o.CorrelationCookie.SameSite = o.NonceCookie.SameSite = SameSiteMode.Lax;
                o.CorrelationCookie.SecurePolicy = o.NonceCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.UsePkce = true;
                o.MapInboundClaims = false;
                o.GetClaimsFromUserInfoEndpoint = true;
                o.SaveTokens = true; // the id token is the hint Auth's end-session endpoint asks for
                o.SignedOutRedirectUri = "/";
                o.SignInScheme = CookieAuthenticationDefaults.AuthenticationScheme;
                o.Scope.Clear();
                foreach (var scope in new[] { "openid", "profile", "email", "roles", options.ClientId }.Concat(options.CallsApis)) o.Scope.Add(scope);
                // A page that calls other services with the popug's token keeps it fresh (PageTokenRefresh).
                if (options.CallsApis.Count > 0) o.Scope.Add("offline_access");
                o.ClaimActions.MapUniqueJsonKey("role", "role");
                o.TokenValidationParameters.NameClaimType = "name";
                o.TokenValidationParameters.RoleClaimType = "role";
            });
    }

    /// <summary>
    /// POST /signout: ends this service's session and sends the browser to Auth's end-session endpoint,
    /// which ends Auth's own session and every other service's. Only from the page's own form (its antiforgery
    /// token): another site must not be able to sign a popug out.
    /// </summary>
    public static IEndpointConventionBuilder MapAtesSignOut(this IEndpointRouteBuilder routes) =>
        routes.MapPost("/signout", () => Results.SignOut(new AuthenticationProperties { RedirectUri = "/" },
            [CookieAuthenticationDefaults.AuthenticationScheme, OpenIdConnectDefaults.AuthenticationScheme])).RequireFormToken();

    static bool IsApi(HttpContext context, SignInOptions options) =>
        context.Request.Headers.Authorization.Count > 0 || context.Request.Path.StartsWithSegments(options.ApiPrefix);
}
