using Ates.ServiceDefaults.Pages;
using System.Security.Claims;
using Ates.Auth.Data;
using Ates.Contracts;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using OpenIddict.Abstractions;

namespace Ates.Auth.Users;

public sealed class CreateUserForm
{
    public string? Name { get; set; }
    public string? Email { get; set; }
    public string? Role { get; set; }
    public string? Password { get; set; }
}

public sealed class EditUserForm
{
    public string? Name { get; set; }
    public string? Email { get; set; }
}

public sealed class RoleForm
{
    public string? Role { get; set; }
}

/// <summary>
/// The admin's users page: the same commands as the API, driven by HTML forms (signed-in cookie, antiforgery token).
/// Each action redirects back to the list (post/redirect/get); a refusal re-renders it with the reason and its status.
/// </summary>
public static class UserPages
{
    public static void MapUserPages(this IEndpointRouteBuilder app)
    {
        // Deactivate and Reactivate bind no form: without the filter their posts would skip the antiforgery check.
        var pages = app.MapGroup("/admin/users").RequireAuthorization(AuthPolicies.AdminPage).RequireFormToken().ExcludeFromDescription();
        pages.MapGet("/", (HttpContext http, AuthDb db, string? done, CancellationToken ct) => ListAsync(http, db, done, null, 200, ct));
        pages.MapPost("/", async ([FromForm] CreateUserForm form, HttpContext http, AuthDb db, UserCommands commands, CancellationToken ct) =>
        {
            if (!Roles.TryParse(form.Role ?? "", out var role) || string.IsNullOrWhiteSpace(form.Name) || string.IsNullOrWhiteSpace(form.Email) || string.IsNullOrEmpty(form.Password))
                return await ListAsync(http, db, null, "Give a name, an email, a role and a password.", 400, ct);
            var outcome = await commands.CreateAsync(form.Name.Trim(), form.Email.Trim(), role, form.Password, ct);
            return await AnswerAsync(outcome, $"Added {form.Name.Trim()}.", http, db, ct);
        });
        pages.MapPost("/{id:guid}", async (Guid id, [FromForm] EditUserForm form, HttpContext http, AuthDb db, UserCommands commands, CancellationToken ct) =>
        {
            if (string.IsNullOrWhiteSpace(form.Name) || string.IsNullOrWhiteSpace(form.Email))
                return await ListAsync(http, db, null, "A user needs a name and an email.", 400, ct);
            return await AnswerAsync(await commands.EditAsync(id, form.Name.Trim(), form.Email.Trim(), ct), "Saved.", http, db, ct);
        });
        pages.MapPost("/{id:guid}/role", async (Guid id, [FromForm] RoleForm form, HttpContext http, AuthDb db, UserCommands commands, CancellationToken ct) =>
        {
            if (!Roles.TryParse(form.Role ?? "", out var role))
                return await ListAsync(http, db, null, $"Unknown role '{form.Role}'.", 400, ct);
            return await AnswerAsync(await commands.ChangeRoleAsync(id, role, ActorId(http.User), ct), "Role changed.", http, db, ct);
        });
        pages.MapPost("/{id:guid}/deactivate", async (Guid id, HttpContext http, AuthDb db, UserCommands commands, CancellationToken ct) =>
            await AnswerAsync(await commands.SetStatusAsync(id, UserStatus.Deactivated, ActorId(http.User), ct), "Deactivated.", http, db, ct));
        pages.MapPost("/{id:guid}/reactivate", async (Guid id, HttpContext http, AuthDb db, UserCommands commands, CancellationToken ct) =>
            await AnswerAsync(await commands.SetStatusAsync(id, UserStatus.Active, ActorId(http.User), ct), "Reactivated.", http, db, ct));
        app.MapGet("/forbidden", () => new RazorComponentResult<Message>(new { Title = "Not allowed", Text = "This page is for admins only." })
            { StatusCode = StatusCodes.Status403Forbidden }).ExcludeFromDescription();
    }

    static Guid ActorId(ClaimsPrincipal user) => Guid.Parse(user.FindFirstValue(OpenIddictConstants.Claims.Subject)!);

    static async Task<IResult> AnswerAsync(Outcome outcome, string done, HttpContext http, AuthDb db, CancellationToken ct)
    {
        if (outcome.User is not null) return Results.LocalRedirect($"~/admin/users?done={Uri.EscapeDataString(done)}");
        var refusal = outcome.Refusal!;
        var reason = refusal.Errors is { } errors ? string.Join(" ", errors.SelectMany(e => e.Value)) : refusal.Detail ?? "";
        return await ListAsync(http, db, null, $"{refusal.Title}. {reason}", refusal.Status, ct);
    }

    static async Task<IResult> ListAsync(HttpContext http, AuthDb db, string? done, string? error, int status, CancellationToken ct)
    {
        var users = await db.Users.AsNoTracking().OrderBy(u => u.Name).ThenBy(u => u.Id).ToListAsync(ct);
        return new RazorComponentResult<UsersPage>(new { Users = users, Base = http.Local(""), Done = done, Error = error }) { StatusCode = status };
    }
}
