using Ates.Auth.Data;
using Ates.ServiceDefaults.Validation;
using Microsoft.AspNetCore.Identity;

namespace Ates.Auth.SignIn;

/// <summary>What a password check found: the popug, or why not (held back by the throttle, or a locked account).</summary>
public sealed record PasswordOutcome(AuthUser? User, TimeSpan? Wait = null, bool LockedOut = false);

/// <summary>
/// The one password check of the sign-in page and the password grant: held back while the client's address has failed
/// too often (<see cref="SignInThrottle"/>, with Retry-After set), an email that is not plain text names nobody (and
/// PostgreSQL would refuse the query), and every failure counts against the address.
/// </summary>
public sealed class PasswordCheck(UserManager<AuthUser> users, SignInManager<AuthUser> signIn, SignInThrottle throttle)
{
    public async Task<PasswordOutcome> CheckAsync(HttpContext http, string? email, string? password)
    {
        if (throttle.WaitFor(http) is { } wait)
        {
            http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return new PasswordOutcome(null, Wait: wait);
        }
        var clean = email?.Trim();
        var user = string.IsNullOrEmpty(clean) || PlainText.Problem(clean) is not null ? null : await users.FindByEmailAsync(clean);
        var check = user is null ? null : await signIn.CheckPasswordSignInAsync(user, password ?? "", lockoutOnFailure: true);
        if (check is { Succeeded: true }) return new PasswordOutcome(user);
        throttle.Failed(http);
        return new PasswordOutcome(null, LockedOut: check is { IsLockedOut: true });
    }
}
