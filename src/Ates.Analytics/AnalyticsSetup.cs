using Ates.Analytics.Data;
using Ates.Analytics.Feeding;
using Ates.Analytics.Hosting;
using Ates.Analytics.Ops;
using Ates.Analytics.Rebuild;
using Ates.Analytics.Reports.Dashboard;
using Ates.Analytics.Reports.Earnings;
using Ates.Analytics.Reports.History;
using Ates.Analytics.Reports.MostExpensiveTask;
using Ates.Contracts;
using Ates.Messaging.Transports.Embedded;
using Ates.ServiceDefaults.Hosting;
using Ates.ServiceDefaults.SignIn;
using Ates.ServiceDefaults.Users;

namespace Ates.Analytics;

public static class AnalyticsSetup
{
    /// <summary>
    /// Analytics' services, configured from the "Analytics" section (<see cref="AnalyticsOptions"/>). In the one-process
    /// mode the host passes the <paramref name="bus"/> every service shares; alone, Analytics uses its own or RabbitMQ.
    /// </summary>
    public static WebApplicationBuilder AddAnalytics(this WebApplicationBuilder builder, EmbeddedBus? bus = null)
    {
        var options = builder.AddAtesService<AnalyticsOptions, AnalyticsDb>("Analytics", bus, events => events
                .KeepUserReplica()
                .Handle<TransactionApplied, TransactionAppliedHandler>()
                .Handle<BillingCycleClosed, BillingCycleClosedHandler>()
                .Handle<TaskCreated, TaskSnapshotHandler>()
                .Handle<TaskUpdated, TaskSnapshotHandler>()
                .Preload<FactsPreload>(),
            // The ops page and the rebuild call every producer's ops API with the admin's own token.
            configure: o => o.SignIn.CallsApis = [.. o.Producers.Keys.Where(Audiences.All.Contains)]);
        var services = builder.Services;
        services.AddBillingCalendar(options.TimeZone, "Analytics:TimeZone");
        services.AddSingleton<Calendar>();
        services.AddScoped<FedGenerations>();
        services.AddScoped<BatchFacts>();
        services.AddSingleton<Rebuilder>();
        services.AddScoped<OpsConsole>();
        services.AddScoped<LogReachReader>();
        services.AddHttpClient();
        foreach (var producer in options.Producers.Keys)
            // A replay of a long log takes a while: the producer answers when it has sent everything.
            services.AddHttpClient(OpsConsole.ClientName(producer), c => c.Timeout = TimeSpan.FromMinutes(30));
        return builder;
    }

    public static WebApplication MapAnalytics(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<AnalyticsOptions>();
        app.UseServiceWeb<AnalyticsDb>(options);

        var api = app.MapGroup("/api").RequireAuthorization(AdminPolicy.Name).WithTags("Reports");
        var pages = app.MapGroup("").RequireAuthorization(AdminPolicy.Name).ExcludeFromDescription();
        api.MapEarnings();
        api.MapMostExpensiveTask();
        api.MapHistory(pages);
        api.MapRebuild(pages);
        api.MapOpsConsole(pages);
        pages.MapDashboard();
        return app;
    }
}
