using Ates.Accounting.Accounts.Pages;
using Ates.Contracts;
using Ates.ServiceDefaults.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ates.Accounting.Accounts;

/// <summary>The pages: a popug's own account; for admins and accountants the dashboard and any account.</summary>
public static class AccountPages
{
    public static void MapAccountPages(this IEndpointRouteBuilder app)
    {
        var pages = app.MapGroup("").ExcludeFromDescription();

        // Workers land on their account; admins and accountants on the dashboard.
        pages.MapGet("/", async (HttpContext http, AccountQueries queries, string? notice, string? error, CancellationToken ct) =>
            http.User.IsIn(UserRole.Admin, UserRole.Accountant)
                ? (IResult)new RazorComponentResult<DashboardPage>(new
                    { Earnings = await queries.EarningsAsync(ct), Accounts = await queries.AccountsAsync(ct), Notice = notice, Error = error })
                : new RazorComponentResult<AccountPage>(new { Account = await queries.AccountAsync(http.User.UserId()!.Value, ct), Own = true }))
            .RequireAuthorization(AccountingPolicies.AccountHolder);

        pages.MapGet("/me", async (HttpContext http, AccountQueries queries, CancellationToken ct) =>
                new RazorComponentResult<AccountPage>(new { Account = await queries.AccountAsync(http.User.UserId()!.Value, ct), Own = true }))
            .RequireAuthorization(AccountingPolicies.AccountHolder);

        pages.MapGet("/accounts/{id:guid}", async (Guid id, AccountQueries queries, CancellationToken ct) =>
                await queries.ExistsAsync(id, ct)
                    ? (IResult)new RazorComponentResult<AccountPage>(new { Account = await queries.AccountAsync(id, ct), Own = false })
                    : Results.NotFound())
            .RequireAuthorization(AccountingPolicies.Management);
    }
}
