using Ates.Accounting.Accounts;
using Ates.Accounting.Billing;
using Ates.Accounting.Billing.ClosingDay;
using Ates.Accounting.Data;
using Ates.Accounting.Emails;
using Ates.Accounting.Hosting;
using Ates.Accounting.Ledger;
using Ates.Accounting.Pricing;
using Ates.Accounting.TaskCharges;
using Ates.Accounting.Users;
using Ates.Contracts;
using Ates.Messaging.Transports.Embedded;
using Ates.ServiceDefaults.Hosting;
using Ates.ServiceDefaults.Users;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Ates.ServiceDefaults.Schema;

namespace Ates.Accounting;

public static class AccountingSetup
{
    /// <summary>
    /// Accounting's services, configured from the "Accounting" section (<see cref="AccountingOptions"/>). In the
    /// one-process mode the host passes the <paramref name="bus"/> every service shares.
    /// </summary>
    public static WebApplicationBuilder AddAccounting(this WebApplicationBuilder builder, EmbeddedBus? bus = null)
    {
        var options = builder.AddAtesService<AccountingOptions, AccountingDb>("Accounting", bus, events => events
            .ReactToUserChanges<AccountingDb, OpenAccountWhenAssignable>()
            .Handle<TaskCreated, TaskEventHandlers>()
            .Handle<TaskUpdated, TaskEventHandlers>()
            .Handle<TaskAssigned, TaskEventHandlers>()
            .Handle<TaskCompleted, TaskEventHandlers>()
            .Handle<TasksDayClosed, DayClosedHandler>()
            .Preload<TaskBatchPreload>()
            .AfterCommit<DayCloseAfterCommit>());
        var services = builder.Services;
        services.TryAddSingleton<IPriceSource, RandomPriceSource>();
        services.AddBillingCalendar(options.TimeZone, "Accounting:TimeZone");
        services.AddServicePreparation<AccountingInitializer>();
        services.AddScoped<BillableTasks>();
        services.AddScoped<LedgerBook>();
        services.AddScoped<BillingDays>();
        services.AddScoped<BillingDayCloser>();
        services.AddScoped<Ates.Messaging.Ops.IOpsWarnings, WaitingDayWarnings>();
        services.AddScoped<CloseDayCommand>();
        services.AddScoped<AccountQueries>();
        services.AddHostedService<EmailSender>();
        services.AddHostedService<DayCloseWatch>();
        services.AddAuthorizationBuilder().AddAccountingPolicies();
        return builder;
    }

    public static WebApplication MapAccounting(this WebApplication app)
    {
        app.UseServiceWeb<AccountingDb>(app.Services.GetRequiredService<AccountingOptions>());
        app.MapAccountApi();
        app.MapCloseDay();
        app.MapAccountPages();
        return app;
    }
}
