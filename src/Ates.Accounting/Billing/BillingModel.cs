using Ates.Accounting.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Ates.Accounting.Billing;

/// <summary>The billing days' tables in Accounting's database: the days, each account's day, Tasks' day markers.</summary>
public static class BillingModel
{
    extension(AccountingDb db)
    {
        public DbSet<BillingDay> Days => db.Set<BillingDay>();
        public DbSet<DayAccount> DayAccounts => db.Set<DayAccount>();
        public DbSet<DayMarker> Markers => db.Set<DayMarker>();
    }

    sealed class DayTable : IEntityTypeConfiguration<BillingDay>
    {
        public void Configure(EntityTypeBuilder<BillingDay> e)
        {
            e.ToTable("billing_days");
            e.HasKey(d => d.Day);
            e.Property(d => d.Version).IsConcurrencyToken();
            e.Property(d => d.ManagementEarnings).HasPrecision(18, 2);
            e.Property(d => d.PayoutsTotal).HasPrecision(18, 2);
            e.Property(d => d.ClosedBy).HasMaxLength(20);
            e.Property(d => d.CloseReason).HasMaxLength(BillingDay.CloseReasonLength);
        }
    }

    sealed class DayAccountTable : IEntityTypeConfiguration<DayAccount>
    {
        public void Configure(EntityTypeBuilder<DayAccount> e)
        {
            e.ToTable("billing_day_accounts");
            e.HasKey(d => new { d.Day, d.AccountId });
            foreach (var p in new[] { nameof(DayAccount.Opening), nameof(DayAccount.Earned), nameof(DayAccount.Paid), nameof(DayAccount.Closing) })
                e.Property(p).HasPrecision(18, 2);
        }
    }

    sealed class MarkerTable : IEntityTypeConfiguration<DayMarker>
    {
        public void Configure(EntityTypeBuilder<DayMarker> e)
        {
            e.ToTable("day_markers");
            e.HasKey(m => m.Day);
        }
    }
}
