using Ates.Auth.Data;
using Ates.Contracts;
using Ates.Messaging.Outbox;
using Ates.ServiceDefaults.Hosting;
using Ates.ServiceDefaults.Validation;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using OpenIddict.Abstractions;

namespace Ates.Auth.Users;

/// <summary>A command's outcome: the user as saved, or the refusal (nothing saved).</summary>
public readonly record struct Outcome(AuthUser? User, Refusal? Refusal)
{
    public static implicit operator Outcome(AuthUser user) => new(user, null);
    public static implicit operator Outcome(Refusal refusal) => new(null, refusal);
}

/// <summary>
/// Every change to a user. Each one stages its user event in the outbox before UserManager saves, so the change
/// and its event go out in the same SaveChanges (one transaction); a refusal clears both.
/// </summary>
public sealed class UserCommands(AuthDb db, UserManager<AuthUser> users, IOutbox outbox, IOpenIddictTokenManager tokens, ILogger<UserCommands> log)
{
    public async Task<Outcome> CreateAsync(string name, string email, UserRole role, string password, CancellationToken ct)
    {
        if (NotPlain(name, email) is { } refusal) return refusal;
        var user = new AuthUser
        {
            Id = Guid.CreateVersion7(),
            UserName = email,
            Email = email,
            EmailConfirmed = true,
            Name = name,
            Role = role,
            Status = UserStatus.Active,
            EntityVersion = 1,
            LockoutEnabled = true,
        };
        return await SaveAsync(user, () => new UserCreated(user.Id, user.Name, user.Email, user.Role, user.Status, user.EntityVersion),
            () => users.CreateAsync(user, password), ct);
    }

    /// <summary>Changes name and/or email; nothing to change writes no event.</summary>
    public async Task<Outcome> EditAsync(Guid id, string? name, string? email, CancellationToken ct)
    {
        if (NotPlain(name, email) is { } refusal) return refusal;
        if (await FindAsync(id, ct) is not { } user) return NotFound(id);
        var changed = false;
        if (name is not null && name != user.Name) { user.Name = name; changed = true; }
        if (email is not null && !string.Equals(email, user.Email, StringComparison.Ordinal))
        {
            user.Email = email;
            user.UserName = email;
            changed = true;
        }
        return changed ? await UpdateAsync(user, ct) : user;
    }

    public async Task<Outcome> ChangeRoleAsync(Guid id, UserRole role, Guid actorId, CancellationToken ct)
    {
        if (await FindAsync(id, ct) is not { } user) return NotFound(id);
        if (user.Role == role) return user;
        // An admin who demotes themself could leave the company with no admin at all.
        if (id == actorId) return new Refusal(StatusCodes.Status409Conflict, "You cannot change your own role", "Ask another admin to change it.");
        user.Role = role;
        return await UpdateAsync(user, ct);
    }

    public async Task<Outcome> SetStatusAsync(Guid id, UserStatus status, Guid actorId, CancellationToken ct)
    {
        if (await FindAsync(id, ct) is not { } user) return NotFound(id);
        if (user.Status == status) return user;
        if (id == actorId) return new Refusal(StatusCodes.Status409Conflict, "You cannot deactivate yourself", "Ask another admin to do it.");
        user.Status = status;
        // A new security stamp ends the user's sign-in cookie at Auth at its next validation.
        user.SecurityStamp = Guid.NewGuid().ToString("N");
        var outcome = await UpdateAsync(user, ct);
        if (outcome.User is not null && status == UserStatus.Deactivated)
        {
            // Refresh tokens die with the account; access tokens are refused by every service's user check.
            try { await tokens.RevokeBySubjectAsync(id.ToString(), ct); }
            catch (Exception e) when (e is not OperationCanceledException) { log.LogWarning(e, "Could not revoke the tokens of {UserId}", id); }
        }
        return outcome;
    }

    /// <summary>A name or an email with a control character is refused before it reaches the database (see <see cref="PlainText"/>).</summary>
    static Refusal? NotPlain(string? name, string? email)
    {
        var errors = new Dictionary<string, string[]>();
        if (name is not null && PlainText.Problem(name) is { } nameProblem) errors["name"] = [$"The name {nameProblem}."];
        if (email is not null && PlainText.Problem(email) is { } emailProblem) errors["email"] = [$"The email {emailProblem}."];
        return errors.Count == 0 ? null : new Refusal(StatusCodes.Status400BadRequest, "The user is not valid", null, errors);
    }

    Task<AuthUser?> FindAsync(Guid id, CancellationToken ct) => db.Users.SingleOrDefaultAsync(u => u.Id == id, ct);

    static Refusal NotFound(Guid id) => new(StatusCodes.Status404NotFound, "No such user", $"There is no user {id}.");

    Task<Outcome> UpdateAsync(AuthUser user, CancellationToken ct)
    {
        user.EntityVersion++;
        return SaveAsync(user, () => new UserUpdated(user.Id, user.Name, user.Email!, user.Role, user.Status, user.EntityVersion),
            () => users.UpdateAsync(user), ct);
    }

    async Task<Outcome> SaveAsync(AuthUser user, Func<object> snapshot, Func<Task<IdentityResult>> save, CancellationToken ct)
    {
        try
        {
            // Validated against the event's schema here, so an email the schema refuses is a 400, not a 500 at publish time.
            outbox.Add(snapshot(), user.Id.ToString());
            var result = await save();
            if (result.Succeeded) return user;
            db.ChangeTracker.Clear();
            return Refuse(result);
        }
        catch (EventContractException e)
        {
            db.ChangeTracker.Clear();
            // The registry's sentences start with the field ("email: must be an email address…").
            var errors = e.Errors.GroupBy(m => m.IndexOf(':') is var i and > 0 ? m[..i] : "user")
                .ToDictionary(g => g.Key, g => g.ToArray());
            return new Refusal(StatusCodes.Status400BadRequest, "The user is not valid", null, errors);
        }
        catch (DbUpdateException)
        {
            // The unique email index caught a concurrent create or edit with the same email.
            db.ChangeTracker.Clear();
            ct.ThrowIfCancellationRequested();
            return new Refusal(StatusCodes.Status409Conflict, "Email already taken", $"Another user already has the email {user.Email}.");
        }
    }

    static Refusal Refuse(IdentityResult result)
    {
        var codes = result.Errors.Select(e => e.Code).ToList();
        if (codes.Any(c => c is "DuplicateEmail" or "DuplicateUserName"))
            return new Refusal(StatusCodes.Status409Conflict, "Email already taken", "Another user already has this email.");
        if (codes.Contains("ConcurrencyFailure"))
            return new Refusal(StatusCodes.Status409Conflict, "The user changed meanwhile", "Read the user again and retry.");
        var errors = result.Errors
            .GroupBy(e => e.Code.StartsWith("Password", StringComparison.Ordinal) ? "password"
                : e.Code.Contains("Email", StringComparison.Ordinal) || e.Code.Contains("UserName", StringComparison.Ordinal) ? "email"
                : "user")
            .ToDictionary(g => g.Key, g => g.Select(e => e.Description).ToArray());
        return new Refusal(StatusCodes.Status400BadRequest, "The user is not valid", null, errors);
    }
}
