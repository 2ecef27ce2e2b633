using Ates.Accounting.Billing;
using Ates.Accounting.Emails;
using Ates.Accounting.Ledger;
using Ates.Accounting.Tasks;
using Ates.Messaging;
using Ates.ServiceDefaults.Users;
using Microsoft.EntityFrameworkCore;

namespace Ates.Accounting.Data;

/// <summary>Accounting's own database: the ledger, tasks with prices, billing days, emails, the users replica and messaging.</summary>
public sealed class AccountingDb(DbContextOptions<AccountingDb> options) : DbContext(options)
{
    public DbSet<Account> Accounts => Set<Account>();
    public DbSet<LedgerTransaction> Transactions => Set<LedgerTransaction>();
    public DbSet<LedgerEntry> Entries => Set<LedgerEntry>();
    public DbSet<BillableTask> Tasks => Set<BillableTask>();
    public DbSet<BillingDay> Days => Set<BillingDay>();
    public DbSet<DayAccount> DayAccounts => Set<DayAccount>();
    public DbSet<DayMarker> Markers => Set<DayMarker>();
    public DbSet<Email> Emails => Set<Email>();
    public DbSet<KnownUser> Users => Set<KnownUser>();

    protected override void OnModelCreating(ModelBuilder model)
    {
        model.AddMessagingTables();
        model.AddUserReplica();
        model.Entity<Account>(e =>
        {
            e.ToTable("accounts");
            e.Property(a => a.Id).ValueGeneratedNever();
            e.Ignore(a => a.IsCompany);
        });
        model.Entity<LedgerTransaction>(e =>
        {
            e.ToTable("transactions");
            e.Property(t => t.Id).ValueGeneratedNever();
            e.HasIndex(t => t.Key).IsUnique();
            e.Property(t => t.Key).HasMaxLength(100);
            e.Property(t => t.Kind).HasConversion<string>().HasMaxLength(20);
            e.Property(t => t.Amount).HasPrecision(18, 2);
            e.HasIndex(t => new { t.AccountId, t.At });
        });
        model.Entity<LedgerEntry>(e =>
        {
            e.ToTable("entries");
            e.Property(x => x.Amount).HasPrecision(18, 2);
            e.Property(x => x.Kind).HasConversion<string>().HasMaxLength(20);
            e.HasIndex(x => new { x.AccountId, x.Day });
            e.HasIndex(x => x.Day);
            e.HasIndex(x => new { x.TransactionId, x.AccountId }).IsUnique();
        });
        model.Entity<BillableTask>(e =>
        {
            e.ToTable("tasks");
            e.Property(t => t.Id).ValueGeneratedNever();
            e.Property(t => t.AssignFee).HasPrecision(18, 2);
            e.Property(t => t.Reward).HasPrecision(18, 2);
            // Two instances applying two snapshots of one task at once: the later commit fails instead of the older winning.
            e.Property(t => t.EntityVersion).IsConcurrencyToken();
        });
        model.Entity<BillingDay>(e =>
        {
            e.ToTable("billing_days");
            e.HasKey(d => d.Day);
            e.Property(d => d.Version).IsConcurrencyToken();
            e.Property(d => d.ManagementEarnings).HasPrecision(18, 2);
            e.Property(d => d.PayoutsTotal).HasPrecision(18, 2);
            e.Property(d => d.ClosedBy).HasMaxLength(20);
            e.Property(d => d.CloseReason).HasMaxLength(BillingDay.CloseReasonLength);
        });
        model.Entity<DayAccount>(e =>
        {
            e.ToTable("billing_day_accounts");
            e.HasKey(d => new { d.Day, d.AccountId });
            foreach (var p in new[] { nameof(DayAccount.Opening), nameof(DayAccount.Earned), nameof(DayAccount.Paid), nameof(DayAccount.Closing) })
                e.Property(p).HasPrecision(18, 2);
        });
        model.Entity<DayMarker>(e =>
        {
            e.ToTable("day_markers");
            e.HasKey(m => m.Day);
        });
        model.Entity<Email>(e =>
        {
            e.ToTable("emails");
            e.Property(x => x.Id).ValueGeneratedNever();
            e.Property(x => x.Kind).HasConversion<string>().HasMaxLength(20);
            e.HasIndex(x => new { x.SentAt, x.NextAttemptAt });
            e.Property(x => x.Attempts).IsConcurrencyToken();
            e.Ignore(x => x.MessageId);
        });
    }
}
