using Ates.Auth.Data;
using Ates.Contracts;
using Ates.ServiceDefaults.Pages;
using Ates.ServiceDefaults.Validation;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;

namespace Ates.Auth.SignIn;

public sealed class SignInForm
{
    public string? Email { get; set; }
    public string? Password { get; set; }
    public string? ReturnUrl { get; set; }
}

/// <summary>
/// The sign-in page the authorization endpoint sends browsers to, and sign-out. Links and redirects stay under the
/// path Auth is served at (PathBase, e.g. /auth behind the gateway).
/// </summary>
public static class SignInEndpoints
{
    public static void MapSignIn(this IEndpointRouteBuilder app)
    {
        app.MapGet("/signin", (HttpContext http, string? returnUrl) =>
            Form(http, returnUrl, email: null, error: null, StatusCodes.Status200OK)).ExcludeFromDescription();
        app.MapPost("/signin", SignIn).ExcludeFromDescription();
        app.MapPost("/signout", async (HttpContext http, SignInManager<AuthUser> signIn, Hosting.AuthOptions options) =>
        {
            await signIn.SignOutAsync();
            ServiceSessions.EndAll(http, options);
            return Results.LocalRedirect("~/signin");
        }).RequireFormToken().ExcludeFromDescription();
        app.MapGet("/", Home).ExcludeFromDescription();
    }

    // Form binding makes the endpoint check the antiforgery token (UseAntiforgery) before this runs.
    static async Task<IResult> SignIn([FromForm] SignInForm form, HttpContext http,
        PasswordCheck passwords, SignInManager<AuthUser> signIn)
    {
        var (user, wait, lockedOut) = await passwords.CheckAsync(http, form.Email, form.Password);
        if (wait is not null)
            return Form(http, form.ReturnUrl, form.Email, $"Too many failed sign-ins from here. Try again in {Minutes(wait.Value)}.", StatusCodes.Status429TooManyRequests);
        if (user is null)
            return Form(http, form.ReturnUrl, form.Email,
                lockedOut ? "Too many failed attempts. Try again in a few minutes." : "The email or password is wrong.", StatusCodes.Status401Unauthorized);
        // Said only to someone who knows the password.
        if (user.Status != UserStatus.Active)
            return Form(http, form.ReturnUrl, form.Email, "This account is deactivated. Ask an admin to reactivate it.", StatusCodes.Status403Forbidden);

        await signIn.SignInAsync(user, isPersistent: false);
        return IsLocal(form.ReturnUrl) ? Results.Redirect(form.ReturnUrl!) : Results.LocalRedirect("~/");
    }

    static string Minutes(TimeSpan wait) => wait <= TimeSpan.FromMinutes(1) ? "a minute" : $"{Math.Ceiling(wait.TotalMinutes):0} minutes";

    static async Task<IResult> Home(HttpContext http, UserManager<AuthUser> users)
    {
        var cookie = await http.AuthenticateAsync(IdentityConstants.ApplicationScheme);
        var user = cookie.Succeeded ? await users.GetUserAsync(cookie.Principal) : null;
        if (user is null) return Results.LocalRedirect("~/signin");
        return new RazorComponentResult<SignedInPage>(new { Popug = user, Base = http.Local("") });
    }

    /// <summary>
    /// Only a path on this server: an open redirect would hand codes to anyone. No control character either: browsers
    /// drop a tab or a newline from a URL, so "/\t/evil.example" would lead to //evil.example.
    /// </summary>
    static bool IsLocal(string? url) =>
        !string.IsNullOrEmpty(url) && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\'))
        && PlainText.Problem(url) is null;

    static RazorComponentResult<SignInPage> Form(HttpContext http, string? returnUrl, string? email, string? error, int status) =>
        new(new { Base = http.Local(""), ReturnUrl = returnUrl, Email = email, Error = error }) { StatusCode = status };
}
