using Microsoft.EntityFrameworkCore;

namespace Ates.Bench.Wolverine;

/// <summary>
/// The Wolverine message for a created task: the fields of aTES's task.created (v2) data plus the attributes aTES's
/// CloudEvents envelope carries beside it (producer, partition key, sequence), so the body is of the same size.
/// </summary>
public sealed record TaskCreatedMessage(
    Guid TaskId,
    string Title,
    string? JiraId,
    string Description,
    int Version,
    string Producer,
    string PartitionKey,
    DateTimeOffset OccurredAt);

/// <summary>The producer's database: the task rows, and Wolverine's envelope tables mapped by its EF Core integration.</summary>
public sealed class ProducerDb(DbContextOptions<ProducerDb> options) : DbContext(options)
{
    public DbSet<CreatedTask> CreatedTasks => Set<CreatedTask>();

    protected override void OnModelCreating(ModelBuilder model) =>
        model.Entity<CreatedTask>(e =>
        {
            e.ToTable("created_tasks");
            e.HasKey(x => x.TaskId);
            e.Property(x => x.TaskId).HasColumnName("task_id");
            e.Property(x => x.Title).HasColumnName("title");
        });
}

/// <summary>The consumer's database: a row for every message its handler was given.</summary>
public sealed class ConsumerDb(DbContextOptions<ConsumerDb> options) : DbContext(options)
{
    public DbSet<SeenTask> SeenTasks => Set<SeenTask>();

    protected override void OnModelCreating(ModelBuilder model) =>
        model.Entity<SeenTask>(e =>
        {
            e.ToTable("seen_tasks");
            // No unique key on purpose: a second handling of the same message would show up as a second row.
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).HasColumnName("id");
            e.Property(x => x.TaskId).HasColumnName("task_id");
            e.Property(x => x.MessageId).HasColumnName("message_id");
            e.Property(x => x.Title).HasColumnName("title");
        });
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
    public Guid MessageId { get; set; }
    public required string Title { get; set; }
}
