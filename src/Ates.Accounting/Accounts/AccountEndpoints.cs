using Ates.Contracts;
using Ates.ServiceDefaults.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ates.Accounting.Accounts;

/// <summary>The JSON API of accounts and earnings.</summary>
public static class AccountEndpoints
{
    public static void MapAccountApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api").WithTags("Accounting");

        api.MapGet("/accounts/me", async (HttpContext http, AccountQueries queries, CancellationToken ct) =>
                TypedResults.Ok(await queries.AccountAsync(http.User.UserId()!.Value, ct)))
            .RequireAuthorization(AccountingPolicies.AccountHolder)
            .WithSummary("Your own account: balance, today's earnings and the audit log")
            .ProducesProblem(401).ProducesProblem(403);

        api.MapGet("/accounts/{id:guid}", async Task<Results<Ok<AccountView>, ProblemHttpResult>> (Guid id, HttpContext http, AccountQueries queries, CancellationToken ct) =>
            {
                // A worker sees only their own account; admins and accountants see any.
                var own = http.User.UserId() == id;
                if (!own && !http.User.IsIn(UserRole.Admin, UserRole.Accountant))
                    return TypedResults.Problem(statusCode: 403, title: "Not your account", detail: "Only admins and accountants see other popugs' accounts.");
                if (!own && !await queries.ExistsAsync(id, ct))
                    return TypedResults.Problem(statusCode: 404, title: "No such account", detail: $"There is no account {id}.");
                return TypedResults.Ok(await queries.AccountAsync(id, ct));
            })
            .RequireAuthorization(AccountingPolicies.AccountHolder)
            .WithSummary("One account: your own, or anyone's for admins and accountants")
            .ProducesProblem(401).ProducesProblem(403).ProducesProblem(404);

        api.MapGet("/accounts", async (AccountQueries queries, CancellationToken ct) => TypedResults.Ok(await queries.AccountsAsync(ct)))
            .RequireAuthorization(AccountingPolicies.Management)
            .WithSummary("Every popug's account with its balance (admins, accountants)")
            .ProducesProblem(401).ProducesProblem(403);

        api.MapGet("/earnings", async (AccountQueries queries, CancellationToken ct) => TypedResults.Ok(await queries.EarningsAsync(ct)))
            .RequireAuthorization(AccountingPolicies.Management)
            .WithSummary("Management earnings today and per closed day (admins, accountants)")
            .ProducesProblem(401).ProducesProblem(403);
    }
}
