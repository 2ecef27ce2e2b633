using Ates.Accounting.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Ates.Accounting.TaskCharges;

/// <summary>The tasks Accounting prices, in its database.</summary>
public static class BillableTaskModel
{
    extension(AccountingDb db)
    {
        public DbSet<BillableTask> Tasks => db.Set<BillableTask>();
    }

    sealed class TaskTable : IEntityTypeConfiguration<BillableTask>
    {
        public void Configure(EntityTypeBuilder<BillableTask> e)
        {
            e.ToTable("tasks");
            e.Property(t => t.Id).ValueGeneratedNever();
            e.Property(t => t.AssignFee).HasPrecision(18, 2);
            e.Property(t => t.Reward).HasPrecision(18, 2);
            // Two instances applying two snapshots of one task at once: the later commit fails instead of the older winning.
            e.Property(t => t.EntityVersion).IsConcurrencyToken();
        }
    }
}
