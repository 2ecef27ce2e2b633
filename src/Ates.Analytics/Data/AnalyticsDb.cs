using Ates.Messaging;
using Ates.ServiceDefaults.Users;
using Microsoft.EntityFrameworkCore;

namespace Ates.Analytics.Data;

/// <summary>
/// Analytics' own database: the facts the events carried (postings, tasks, closed days, users) and the messaging
/// tables. Every report is computed from these facts, so the order events arrive in does not matter.
/// </summary>
public sealed class AnalyticsDb(DbContextOptions<AnalyticsDb> options) : DbContext(options)
{
    public DbSet<Posting> Postings => Set<Posting>();
    public DbSet<TaskInfo> Tasks => Set<TaskInfo>();
    public DbSet<ClosedDay> ClosedDays => Set<ClosedDay>();

    protected override void OnModelCreating(ModelBuilder model)
    {
        model.AddMessagingTables();
        model.AddUserReplica();
        model.Entity<Posting>(e =>
        {
            e.ToTable("postings");
            e.HasKey(p => p.TransactionId);
            e.Property(p => p.TransactionId).ValueGeneratedNever();
            e.Property(p => p.Kind).HasConversion<string>().HasMaxLength(20);
            e.HasIndex(p => new { p.Day, p.Kind });
            e.HasIndex(p => p.AccountId);
        });
        model.Entity<TaskInfo>(e =>
        {
            e.ToTable("tasks");
            e.HasKey(t => t.TaskId);
            e.Property(t => t.TaskId).ValueGeneratedNever();
            e.Property(t => t.Title).HasMaxLength(500);
            e.Property(t => t.JiraId).HasMaxLength(100);
            e.Ignore(t => t.IsPlaceholder);
        });
        model.Entity<ClosedDay>(e =>
        {
            e.ToTable("closed_days");
            e.HasKey(d => d.Day);
        });
    }
}
