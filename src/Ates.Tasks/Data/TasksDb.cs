using Ates.Messaging;
using Ates.ServiceDefaults.Hosting;
using Ates.ServiceDefaults.Users;
using Ates.Tasks.Domain;
using Microsoft.EntityFrameworkCore;

namespace Ates.Tasks.Data;

/// <summary>Tasks' own database: tasks, the closed days, the users replica and the messaging tables.</summary>
public sealed class TasksDb(DbContextOptions<TasksDb> options) : DbContext(options)
{
    public DbSet<PopugTask> Tasks => Set<PopugTask>();
    public DbSet<ClosedDay> ClosedDays => Set<ClosedDay>();
    public DbSet<KnownUser> Users => Set<KnownUser>();

    protected override void ConfigureConventions(ModelConfigurationBuilder conventions) => conventions.StoreTimesSortablyOnSqlite(Database);

    protected override void OnModelCreating(ModelBuilder model)
    {
        model.Entity<PopugTask>(e =>
        {
            e.ToTable("tasks");
            e.HasKey(t => t.Id);
            e.Property(t => t.Id).ValueGeneratedNever();
            e.Property(t => t.Title).HasMaxLength(TaskText.MaxTitle);
            e.Property(t => t.JiraId).HasMaxLength(32);
            e.Property(t => t.Description).HasMaxLength(TaskText.MaxDescription);
            e.Property(t => t.State).HasConversion<string>().HasMaxLength(10);
            e.HasIndex(t => new { t.AssigneeId, t.State });
            e.HasIndex(t => new { t.State, t.CreatedAt });
            e.Ignore(t => t.IsOpen);
        });
        model.Entity<ClosedDay>(e =>
        {
            e.ToTable("closed_days");
            e.HasKey(d => d.Day);
            e.Property(d => d.Trigger).HasMaxLength(100);
        });
        model.AddUserReplica();
        model.AddMessagingTables();
    }
}
