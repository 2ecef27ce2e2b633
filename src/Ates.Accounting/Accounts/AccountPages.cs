using Ates.Accounting.Billing.ClosingDay;
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
        pages.MapGet("/", async (HttpContext http, AccountQueries queries, BillingDayCloser closer, string? notice, string? error, CancellationToken ct) =>
            http.User.IsIn(UserRole.Admin, UserRole.Accountant)
                ? (IResult)new RazorComponentResult<DashboardPage>(new
                {
                    Earnings = await queries.EarningsAsync(ct), Accounts = await queries.AccountsAsync(ct), Waiting = await closer.WaitingAsync(ct),
                    Notice = notice, Error = error,
                })
                : new RazorComponentResult<AccountPage>(new { Account = await queries.AccountAsync(http.User.UserId()!.Value, ct), Own = true }))
            .RequireAuthorization(AccountingPolicies.AccountHolder);

        pages.MapGet("/me", async (HttpContext http, string? page, AccountQueries queries, CancellationToken ct) =>
                LogPage.Parse(page) is { } number
                    ? (IResult)new RazorComponentResult<AccountPage>(new { Account = await queries.AccountAsync(http.User.UserId()!.Value, number, ct), Own = true })
                    : Results.Redirect($"{http.Request.PathBase}/me"))
            .RequireAuthorization(AccountingPolicies.AccountHolder);

        pages.MapGet("/accounts/{id:guid}", async (Guid id, string? page, HttpContext http, AccountQueries queries, CancellationToken ct) =>
                !await queries.ExistsAsync(id, ct) ? Results.NotFound()
                : LogPage.Parse(page) is { } number
                    ? new RazorComponentResult<AccountPage>(new { Account = await queries.AccountAsync(id, number, ct), Own = false })
                    : Results.Redirect($"{http.Request.PathBase}/accounts/{id}"))
            .RequireAuthorization(AccountingPolicies.Management);
    }
}
