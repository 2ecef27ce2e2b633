using Ates.Messaging.Node;
using Microsoft.EntityFrameworkCore;

namespace Ates.Bench.Wolverine;

/// <summary>
/// The Wolverine message for a created task: the fields of aTES's task.created (v2) data plus the attributes aTES's
/// CloudEvents envelope carries beside it (producer, partition key, time), so the body is of the same size.
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

/// <summary>The producer's database: the task rows (the messaging tests' own), and Wolverine's envelope tables mapped by its EF Core integration.</summary>
public sealed class ProducerDb(DbContextOptions<ProducerDb> options) : DbContext(options)
{
    public DbSet<CreatedTask> CreatedTasks => Set<CreatedTask>();

    protected override void OnModelCreating(ModelBuilder model) => model.Entity<CreatedTask>().ToTable("created_tasks").HasKey(x => x.TaskId);
}

/// <summary>
/// The consumer's database: a row for every message its handler was given, as the messaging tests record them
/// (no unique key, so a second handling would show as a second row; Wolverine has no sequence, so it stays 0).
/// </summary>
public sealed class ConsumerDb(DbContextOptions<ConsumerDb> options) : DbContext(options)
{
    public DbSet<SeenTask> SeenTasks => Set<SeenTask>();

    protected override void OnModelCreating(ModelBuilder model) => model.Entity<SeenTask>().ToTable("seen_tasks").HasKey(x => x.Id);
}
