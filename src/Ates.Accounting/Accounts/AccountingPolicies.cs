using Ates.Contracts;
using Ates.ServiceDefaults.Hosting;
using Microsoft.AspNetCore.Authorization;

namespace Ates.Accounting.Accounts;

/// <summary>Who sees what: an account of one's own (workers, accountants, admins); everything (admins, accountants). Managers: nothing.</summary>
public static class AccountingPolicies
{
    public const string AccountHolder = "accounting.account-holder";
    public const string Management = "accounting.management";

    public static AuthorizationBuilder AddAccountingPolicies(this AuthorizationBuilder builder) => builder
        .AddPolicy(AccountHolder, p => p.RequireAuthenticatedUser().RequireRole(Roles(UserRole.Worker, UserRole.Accountant, UserRole.Admin)))
        .AddPolicy(Management, p => p.RequireAuthenticatedUser().RequireRole(Roles(UserRole.Admin, UserRole.Accountant)));

    static string[] Roles(params UserRole[] roles) => roles.Select(r => r.ClaimValue()).ToArray();
}
