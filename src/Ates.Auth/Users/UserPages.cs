using Ates.ServiceDefaults.Pages;
using System.Security.Claims;
using System.Text;
using Ates.Auth.Data;
using Ates.Contracts;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using OpenIddict.Abstractions;
using static Ates.Auth.SignIn.Page;

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
        pages.MapGet("/", (HttpContext http, IAntiforgery af, AuthDb db, string? done, CancellationToken ct) => ListAsync(http, af, db, done, null, 200, ct));
        pages.MapPost("/", async ([FromForm] CreateUserForm form, HttpContext http, IAntiforgery af, AuthDb db, UserCommands commands, CancellationToken ct) =>
        {
            if (!Roles.TryParse(form.Role ?? "", out var role) || string.IsNullOrWhiteSpace(form.Name) || string.IsNullOrWhiteSpace(form.Email) || string.IsNullOrEmpty(form.Password))
                return await ListAsync(http, af, db, null, "Give a name, an email, a role and a password.", 400, ct);
            var outcome = await commands.CreateAsync(form.Name.Trim(), form.Email.Trim(), role, form.Password, ct);
            return await AnswerAsync(outcome, $"Added {form.Name.Trim()}.", http, af, db, ct);
        });
        pages.MapPost("/{id:guid}", async (Guid id, [FromForm] EditUserForm form, HttpContext http, IAntiforgery af, AuthDb db, UserCommands commands, CancellationToken ct) =>
        {
            if (string.IsNullOrWhiteSpace(form.Name) || string.IsNullOrWhiteSpace(form.Email))
                return await ListAsync(http, af, db, null, "A user needs a name and an email.", 400, ct);
            return await AnswerAsync(await commands.EditAsync(id, form.Name.Trim(), form.Email.Trim(), ct), "Saved.", http, af, db, ct);
        });
        pages.MapPost("/{id:guid}/role", async (Guid id, [FromForm] RoleForm form, HttpContext http, IAntiforgery af, AuthDb db, UserCommands commands, CancellationToken ct) =>
        {
            if (!Roles.TryParse(form.Role ?? "", out var role))
                return await ListAsync(http, af, db, null, $"Unknown role '{form.Role}'.", 400, ct);
            return await AnswerAsync(await commands.ChangeRoleAsync(id, role, ActorId(http.User), ct), "Role changed.", http, af, db, ct);
        });
        pages.MapPost("/{id:guid}/deactivate", async (Guid id, HttpContext http, IAntiforgery af, AuthDb db, UserCommands commands, CancellationToken ct) =>
            await AnswerAsync(await commands.SetStatusAsync(id, UserStatus.Deactivated, ActorId(http.User), ct), "Deactivated.", http, af, db, ct));
        pages.MapPost("/{id:guid}/reactivate", async (Guid id, HttpContext http, IAntiforgery af, AuthDb db, UserCommands commands, CancellationToken ct) =>
            await AnswerAsync(await commands.SetStatusAsync(id, UserStatus.Active, ActorId(http.User), ct), "Reactivated.", http, af, db, ct));
        app.MapGet("/forbidden", (HttpContext http) => Html("Not allowed", $"""
            <h1>Not allowed</h1>
            <p class="lead">This page is for admins only.</p>
            <form method="get" action="{http.Request.PathBase}/"><button class="secondary" type="submit">Back</button></form>
            """, StatusCodes.Status403Forbidden)).ExcludeFromDescription();
    }

    static Guid ActorId(ClaimsPrincipal user) => Guid.Parse(user.FindFirstValue(OpenIddictConstants.Claims.Subject)!);

    static async Task<IResult> AnswerAsync(Outcome outcome, string done, HttpContext http, IAntiforgery af, AuthDb db, CancellationToken ct)
    {
        if (outcome.User is not null) return Results.LocalRedirect($"~/admin/users?done={Uri.EscapeDataString(done)}");
        var refusal = outcome.Refusal!;
        var reason = refusal.Errors is { } errors ? string.Join(" ", errors.SelectMany(e => e.Value)) : refusal.Detail ?? "";
        return await ListAsync(http, af, db, null, $"{refusal.Title}. {reason}", refusal.Status, ct);
    }

    static async Task<IResult> ListAsync(HttpContext http, IAntiforgery af, AuthDb db, string? done, string? error, int status, CancellationToken ct)
    {
        var users = await db.Users.AsNoTracking().OrderBy(u => u.Name).ThenBy(u => u.Id).ToListAsync(ct);
        var token = af.GetAndStoreTokens(http);
        var pathBase = http.Request.PathBase;
        var csrf = $"""<input type="hidden" name="{E(token.FormFieldName)}" value="{E(token.RequestToken)}">""";
        string RoleOptions(UserRole selected) => string.Concat(Enum.GetValues<UserRole>().Select(r =>
            $"""<option value="{Roles.Name(r)}"{(r == selected ? " selected" : "")}>{Roles.Name(r)}</option>"""));

        var rows = new StringBuilder();
        foreach (var u in users)
        {
            var active = u.Status == UserStatus.Active;
            var state = active ? "active" : "deactivated";
            rows.Append($"""
                <tr class="{state}">
                  <td><form class="inline" method="post" action="{pathBase}/admin/users/{u.Id}">{csrf}
                    <input name="name" value="{E(u.Name)}" aria-label="Name" required>
                    <input name="email" type="email" value="{E(u.Email)}" aria-label="Email" required>
                    <button class="secondary" type="submit">Save</button></form></td>
                  <td><form class="inline" method="post" action="{pathBase}/admin/users/{u.Id}/role">{csrf}
                    <select name="role" aria-label="Role">{RoleOptions(u.Role)}</select>
                    <button class="secondary" type="submit">Set</button></form></td>
                  <td><span class="badge {state}">{state}</span></td>
                  <td><form class="inline" method="post" action="{pathBase}/admin/users/{u.Id}/{(active ? "deactivate" : "reactivate")}">{csrf}
                    <button class="{(active ? "secondary " : "")}small" type="submit">{(active ? "Deactivate" : "Reactivate")}</button></form></td>
                </tr>
                """);
        }

        var message = error is not null ? $"""<p class="error" role="alert">{E(error)}</p>"""
            : done is not null ? $"""<p class="ok" role="status">{E(done)}</p>""" : "";
        return Html("Users", $"""
            <h1><span class="brand">aTES</span> users</h1>
            <p class="lead">{users.Count} popugs, {users.Count(u => u.Status == UserStatus.Active)} active. Users are never deleted: deactivate them.</p>
            {message}
            <fieldset><legend>Add a popug</legend>
              <form method="post" action="{pathBase}/admin/users" class="grid">{csrf}
                <div><label for="new-name">Name</label><input id="new-name" name="name" required></div>
                <div><label for="new-email">Email</label><input id="new-email" name="email" type="email" required></div>
                <div><label for="new-role">Role</label><select id="new-role" name="role">{RoleOptions(UserRole.Worker)}</select></div>
                <div><label for="new-password">Beak shape</label><input id="new-password" name="password" type="password" minlength="8" required></div>
                <div><button type="submit">Add</button></div>
              </form>
            </fieldset>
            <table>
              <thead><tr><th>Name and email</th><th>Role</th><th>Status</th><th></th></tr></thead>
              <tbody>{rows}</tbody>
            </table>
            <footer><form method="post" action="{pathBase}/signout" class="inline" style="justify-content:center">{csrf}<button class="secondary small" type="submit">Sign out</button></form></footer>
            """, status, wide: true);
    }
}
