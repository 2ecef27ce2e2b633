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

        api.MapGet("/accounts/me", async Task<Results<Ok<AccountView>, ProblemHttpResult>> (HttpContext http, string? page, AccountQueries queries, CancellationToken ct) =>
                LogPage.Parse(page) is not { } number ? LogPage.Refusal(page)
                    : TypedResults.Ok(await queries.AccountAsync(http.User.UserId()!.Value, number, ct)))
            .RequireAuthorization(AccountingPolicies.AccountHolder)
            .WithSummary("Your own account: balance, today's earnings and the audit log, a page at a time (?page=1 is the newest)")
            .ProducesProblem(400).ProducesProblem(401).ProducesProblem(403);

        api.MapGet("/accounts/{id:guid}", async Task<Results<Ok<AccountView>, ProblemHttpResult>> (Guid id, string? page, HttpContext http, AccountQueries queries, CancellationToken ct) =>
            {
                if (LogPage.Parse(page) is not { } number) return LogPage.Refusal(page);
                // A worker sees only their own account; admins and accountants see any.
                var own = http.User.UserId() == id;
                if (!own && !http.User.IsIn(UserRole.Admin, UserRole.Accountant))
                    return TypedResults.Problem(statusCode: 403, title: "Not your account", detail: "Only admins and accountants see other popugs' accounts.");
                if (!own && !await queries.ExistsAsync(id, ct))
                    return TypedResults.Problem(statusCode: 404, title: "No such account", detail: $"There is no account {id}.");
                return TypedResults.Ok(await queries.AccountAsync(id, number, ct));
            })
            .RequireAuthorization(AccountingPolicies.AccountHolder)
            .WithSummary("One account: your own, or anyone's for admins and accountants (?page= as for your own)")
            .ProducesProblem(400).ProducesProblem(401).ProducesProblem(403).ProducesProblem(404);

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

/// <summary>The audit log's page number: absent means 1; anything but a whole number from 1 up is refused.</summary>
public static class LogPage
{
    public static int? Parse(string? page) =>
        page is null ? 1 : int.TryParse(page, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) && n >= 1 ? n : null;

    public static ProblemHttpResult Refusal(string? page) => TypedResults.Problem(statusCode: 400, title: "No such page",
        detail: $"page must be a whole number from 1 (the newest {AccountQueries.LogPageSize} movements) up; got '{page}'.");
}
