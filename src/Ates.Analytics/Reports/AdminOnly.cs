using Ates.Contracts;
using Ates.ServiceDefaults.Hosting;
using Microsoft.AspNetCore.Authorization;

namespace Ates.Analytics.Reports;

/// <summary>Analytics is for admins only: every page and endpoint but health requires this policy.</summary>
public static class AdminOnly
{
    public const string Policy = "analytics-admin";

    /// <summary>The role is the replica's current one (the deactivated-user gate replaces the token's), so a demoted admin is refused at once.</summary>
    public static AuthorizationBuilder AddAdminOnly(this AuthorizationBuilder authorization) =>
        authorization.AddPolicy(Policy, p => p.RequireAuthenticatedUser().RequireAssertion(c => c.User.IsIn(UserRole.Admin)));
}
