using Ates.Accounting.Data;
using Ates.Messaging;
using Ates.ServiceDefaults.Hosting;
using Ates.Tasks.Data;
using Microsoft.EntityFrameworkCore;

namespace Ates.Bench;

/// <summary>
/// The services' own databases, opened read-only in spirit after (or while) the day runs: what the checks and the
/// bulk measurements read. Through the services' own EF models, so they follow any schema change.
/// </summary>
public static class Books
{
    public static AccountingDb Accounting(IAtes ates) => new(Options<AccountingDb>(ates, "accounting"));

    public static TasksDb Tasks(IAtes ates) => new(Options<TasksDb>(ates, "tasks"));

    /// <summary>Any service's outbox (its event log) and inbox.</summary>
    public static MessagingTables Messaging(IAtes ates, string service) => new(Options<MessagingTables>(ates, service));

    static DbContextOptions<T> Options<T>(IAtes ates, string service) where T : DbContext
    {
        var options = new DbContextOptionsBuilder<T>();
        options.UseServiceDatabase(ates.Database(service), service);
        return options.Options;
    }
}

public sealed class MessagingTables(DbContextOptions<MessagingTables> options) : DbContext(options)
{
    protected override void OnModelCreating(ModelBuilder model) => model.AddMessagingTables();
}
