using Ates.Messaging;
using Ates.ServiceDefaults.Users;
using Microsoft.EntityFrameworkCore;

namespace Ates.Accounting.Data;

/// <summary>
/// Accounting's own database: the users replica and messaging here; the ledger, tasks with prices, billing days and
/// emails each in their own folder, which holds its tables' configuration and the property that names them
/// (<c>db.Accounts</c> in Ledger), so this context names none of them.
/// </summary>
public sealed class AccountingDb(DbContextOptions<AccountingDb> options) : DbContext(options)
{
    public DbSet<KnownUser> Users => Set<KnownUser>();

    protected override void OnModelCreating(ModelBuilder model)
    {
        model.AddMessagingTables();
        model.AddUserReplica();
        model.ApplyConfigurationsFromAssembly(typeof(AccountingDb).Assembly);
    }
}
