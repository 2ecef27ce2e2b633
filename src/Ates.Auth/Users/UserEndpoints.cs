using Ates.ServiceDefaults.Hosting;
using System.Security.Claims;
using Ates.Auth.Data;
using Ates.Contracts;
using Ates.ServiceDefaults.Users;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using OpenIddict.Abstractions;

namespace Ates.Auth.Users;

public sealed record UserView(Guid Id, string Name, string Email, string Role, string Status, long EntityVersion)
{
    public static UserView Of(AuthUser u) => new(u.Id, u.Name, u.Email!, Roles.Name(u.Role), u.Status.ToString().ToLowerInvariant(), u.EntityVersion);
}

public sealed record CreateUserRequest(string? Name, string? Email, string? Role, string? Password);
public sealed record EditUserRequest(string? Name, string? Email);
public sealed record ChangeRoleRequest(string? Role);

/// <summary>The admin-only users API. No delete: users are deactivated and may come back.</summary>
public static class UserEndpoints
{
    public static void MapUsers(this IEndpointRouteBuilder app)
    {
        var users = app.MapGroup("/api/users").RequireAuthorization(AdminPolicy.Name).WithTags("Users");
        users.MapGet("/", List);
        users.MapGet("/{id:guid}", Get);
        users.MapPost("/", Create);
        users.MapPatch("/{id:guid}", Edit);
        users.MapPut("/{id:guid}/role", ChangeRole);
        users.MapPost("/{id:guid}/deactivate", (Guid id, ClaimsPrincipal actor, UserCommands commands, CancellationToken ct) =>
            SetStatus(id, UserStatus.Deactivated, actor, commands, ct));
        users.MapPost("/{id:guid}/reactivate", (Guid id, ClaimsPrincipal actor, UserCommands commands, CancellationToken ct) =>
            SetStatus(id, UserStatus.Active, actor, commands, ct));
    }

    static async Task<Ok<List<UserView>>> List(AuthDb db, CancellationToken ct)
    {
        var all = await db.Users.AsNoTracking().OrderBy(u => u.Name).ThenBy(u => u.Id).ToListAsync(ct);
        return TypedResults.Ok(all.Select(UserView.Of).ToList());
    }

    static async Task<IResult> Get(Guid id, AuthDb db, CancellationToken ct) =>
        await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == id, ct) is { } user
            ? TypedResults.Ok(UserView.Of(user))
            : Problem(new Refusal(StatusCodes.Status404NotFound, "No such user", $"There is no user {id}."));

    static async Task<IResult> Create(CreateUserRequest? body, UserCommands commands, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var name = Required(body?.Name, "name", errors);
        var email = Required(body?.Email, "email", errors);
        var role = RoleOf(body?.Role, errors, required: true);
        if (string.IsNullOrEmpty(body?.Password)) errors["password"] = ["password is required."];
        if (errors.Count > 0) return Invalid(errors);

        var outcome = await commands.CreateAsync(name!, email!, role!.Value, body!.Password!, ct);
        return outcome.User is { } user
            ? TypedResults.Created($"/api/users/{user.Id}", UserView.Of(user))
            : Problem(outcome.Refusal!);
    }

    static async Task<IResult> Edit(Guid id, EditUserRequest? body, UserCommands commands, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (body is null || (body.Name is null && body.Email is null))
            return Invalid(new() { ["name"] = ["Give name, email or both."] });
        var name = body.Name is null ? null : Required(body.Name, "name", errors);
        var email = body.Email is null ? null : Required(body.Email, "email", errors);
        if (errors.Count > 0) return Invalid(errors);
        return Answer(await commands.EditAsync(id, name, email, ct));
    }

    static async Task<IResult> ChangeRole(Guid id, ChangeRoleRequest? body, ClaimsPrincipal actor, UserCommands commands, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var role = RoleOf(body?.Role, errors, required: true);
        if (errors.Count > 0) return Invalid(errors);
        return Answer(await commands.ChangeRoleAsync(id, role!.Value, ActorId(actor), ct));
    }

    static async Task<IResult> SetStatus(Guid id, UserStatus status, ClaimsPrincipal actor, UserCommands commands, CancellationToken ct) =>
        Answer(await commands.SetStatusAsync(id, status, ActorId(actor), ct));

    static Guid ActorId(ClaimsPrincipal actor) => Guid.Parse(actor.FindFirstValue(OpenIddictConstants.Claims.Subject)!);

    static IResult Answer(Outcome outcome) =>
        outcome.User is { } user ? TypedResults.Ok(UserView.Of(user)) : Problem(outcome.Refusal!);

    static string? Required(string? value, string field, Dictionary<string, string[]> errors)
    {
        var trimmed = value?.Trim();
        if (string.IsNullOrEmpty(trimmed)) errors[field] = [$"{field} is required."];
        else if (trimmed.Length > 200) errors[field] = [$"{field} must be at most 200 characters."];
        else return trimmed;
        return null;
    }

    static UserRole? RoleOf(string? value, Dictionary<string, string[]> errors, bool required)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            if (required) errors["role"] = [$"role is required: one of {string.Join(", ", Roles.Names)}."];
            return null;
        }
        if (Roles.TryParse(value, out var role)) return role;
        errors["role"] = [$"Unknown role '{value}': use one of {string.Join(", ", Roles.Names)}."];
        return null;
    }

    static IResult Invalid(Dictionary<string, string[]> errors) =>
        TypedResults.ValidationProblem(errors, title: "The request is not valid");

    public static IResult Problem(Refusal refusal) => refusal.ToProblem();
}
