using Ates.Accounting.Data;
using Ates.Analytics.Data;
using Ates.Auth.Data;
using Ates.ServiceDefaults.Hosting;
using Ates.Tasks.Data;
using Ates.ServiceDefaults.Schema;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Ates.Host.Tests.Upgrade;

/// <summary>Each service's context on a given database, configured as the service configures it.</summary>
public static class ServiceDatabases
{
    public static readonly string[] Services = ["auth", "tasks", "accounting", "analytics"];

    public static DbContext Open(string service, string database) => service switch
    {
        "auth" => new AuthDb(Options<AuthDb>(database)),
        "tasks" => new TasksDb(Options<TasksDb>(database)),
        "accounting" => new AccountingDb(Options<AccountingDb>(database)),
        "analytics" => new AnalyticsDb(Options<AnalyticsDb>(database)),
        _ => throw new ArgumentException($"no service {service}"),
    };

    /// <summary>The service's schema on the database, as its start and its <c>migrate</c> command use it.</summary>
    public static IServiceSchema Schema(string service, string database, bool migrateOnStart) => service switch
    {
        "auth" => Schema<AuthDb>(database, migrateOnStart),
        "tasks" => Schema<TasksDb>(database, migrateOnStart),
        "accounting" => Schema<AccountingDb>(database, migrateOnStart),
        "analytics" => Schema<AnalyticsDb>(database, migrateOnStart),
        _ => throw new ArgumentException($"no service {service}"),
    };

    static IServiceSchema Schema<TDb>(string database, bool migrateOnStart) where TDb : DbContext
    {
        var services = new ServiceCollection().AddLogging();
        services.AddDbContext<TDb>(db => db.UseServiceDatabase(database, "Test:Database"));
        services.AddServiceSchema<TDb>(migrateOnStart, "Test");
        return services.BuildServiceProvider().GetRequiredService<IServiceSchema>();
    }

    static DbContextOptions<TDb> Options<TDb>(string database) where TDb : DbContext =>
        (DbContextOptions<TDb>)new DbContextOptionsBuilder<TDb>().UseServiceDatabase(database, "Test:Database").Options;
}
