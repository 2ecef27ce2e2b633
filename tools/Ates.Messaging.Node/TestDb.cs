using Microsoft.EntityFrameworkCore;

namespace Ates.Messaging.Node;

/// <summary>The database of a test service: the messaging tables plus what the producer wrote and the consumer saw.</summary>
public sealed class TestDb(DbContextOptions<TestDb> options) : DbContext(options)
{
    public DbSet<CreatedTask> CreatedTasks => Set<CreatedTask>();
    public DbSet<SeenTask> SeenTasks => Set<SeenTask>();

    protected override void OnModelCreating(ModelBuilder model)
    {
        model.AddMessagingTables();
        model.Entity<CreatedTask>().HasKey(x => x.TaskId);
        // No unique key on purpose: a second handling of the same event would show up as a second row.
        model.Entity<SeenTask>().HasKey(x => x.Id);
    }
}

public sealed class CreatedTask
{
    public Guid TaskId { get; set; }
    public required string Title { get; set; }
}

public sealed class SeenTask
{
    public long Id { get; set; }
    public Guid TaskId { get; set; }
    public Guid EventId { get; set; }
    public long Sequence { get; set; }
    public required string Title { get; set; }
}
