using Ates.Accounting.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Ates.Accounting.Ledger;

/// <summary>The ledger's tables in Accounting's database: accounts, transactions and their entries.</summary>
public static class LedgerModel
{
    extension(AccountingDb db)
    {
        public DbSet<Account> Accounts => db.Set<Account>();
        public DbSet<LedgerTransaction> Transactions => db.Set<LedgerTransaction>();
        public DbSet<LedgerEntry> Entries => db.Set<LedgerEntry>();
    }

    sealed class AccountTable : IEntityTypeConfiguration<Account>
    {
        public void Configure(EntityTypeBuilder<Account> e)
        {
            e.ToTable("accounts");
            e.Property(a => a.Id).ValueGeneratedNever();
            e.Ignore(a => a.IsCompany);
        }
    }

    sealed class TransactionTable : IEntityTypeConfiguration<LedgerTransaction>
    {
        public void Configure(EntityTypeBuilder<LedgerTransaction> e)
        {
            e.ToTable("transactions");
            e.Property(t => t.Id).ValueGeneratedNever();
            e.HasIndex(t => t.Key).IsUnique();
            e.Property(t => t.Key).HasMaxLength(100);
            e.Property(t => t.Kind).HasConversion<string>().HasMaxLength(20);
            e.Property(t => t.Amount).HasPrecision(18, 2);
            e.HasIndex(t => new { t.AccountId, t.At });
        }
    }

    sealed class EntryTable : IEntityTypeConfiguration<LedgerEntry>
    {
        public void Configure(EntityTypeBuilder<LedgerEntry> e)
        {
            e.ToTable("entries");
            e.Property(x => x.Amount).HasPrecision(18, 2);
            e.Property(x => x.Kind).HasConversion<string>().HasMaxLength(20);
            e.HasIndex(x => new { x.AccountId, x.Day });
            e.HasIndex(x => x.Day);
            e.HasIndex(x => new { x.TransactionId, x.AccountId }).IsUnique();
        }
    }
}
