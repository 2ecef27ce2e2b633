using Ates.Messaging;
using Ates.ServiceDefaults.Users;
using Microsoft.EntityFrameworkCore;

namespace Ates.Analytics.Data;

/// <summary>
/// Analytics' own database: the facts the events carried (postings, tasks, closed days, users) and the messaging
/// tables. Every report is computed from these facts, so the order events arrive in does not matter.
/// Facts come in generations (<see cref="ReportState"/>): the reports read the live one, a rebuild fills the next one
/// beside it and then makes it live.
/// </summary>
public sealed class AnalyticsDb(DbContextOptions<AnalyticsDb> options) : DbContext(options)
{
    /// <summary>The live generation's postings: what every report reads. Writes go through <see cref="DbContext.Set{TEntity}()"/>.</summary>
    public IQueryable<PostingFact> Postings => Live<PostingFact>();

    public IQueryable<TaskFact> Tasks => Live<TaskFact>();
    public IQueryable<ClosedDayFact> ClosedDays => Live<ClosedDayFact>();
    public DbSet<ReportState> State => Set<ReportState>();

    IQueryable<T> Live<T>() where T : class, IFact => Set<T>().Where(f => State.Any(s => s.Live == f.Generation));

    /// <summary>Deletes the facts of the given generations or, <paramref name="allBut"/>, of every other one.</summary>
    public async Task DropGenerationsAsync(IReadOnlyCollection<long> generations, bool allBut, CancellationToken ct)
    {
        await Drop(Set<PostingFact>());
        await Drop(Set<TaskFact>());
        await Drop(Set<ClosedDayFact>());

        Task<int> Drop<T>(DbSet<T> facts) where T : class, IFact =>
            facts.Where(f => generations.Contains(f.Generation) != allBut).ExecuteDeleteAsync(ct);
    }

    /// <summary>
    /// The state as a batch of events reads it to know which generations to feed. On PostgreSQL under a share lock,
    /// held to the batch's commit: a rebuild's start and its swap update this row, so they wait for the batches in
    /// flight and the batches after them see the change; no event lands only in a generation about to be dropped.
    /// SQLite's transactions take the one write lock when they begin, so they are in turn already.
    /// </summary>
    public Task<ReportState> StateForFeedingAsync(CancellationToken ct) =>
        (Database.IsNpgsql() ? State.FromSqlRaw("SELECT * FROM report_state FOR SHARE") : State).SingleAsync(ct);

    protected override void OnModelCreating(ModelBuilder model)
    {
        model.AddMessagingTables();
        model.AddUserReplica();
        model.Entity<ReportState>(e =>
        {
            e.ToTable("report_state");
            e.HasKey(s => s.Id);
            e.Property(s => s.Id).ValueGeneratedNever();
            e.HasData(new ReportState { Id = ReportState.TheRow, Live = 0, LastGeneration = 0 });
        });
        model.Entity<PostingFact>(e =>
        {
            e.ToTable("postings");
            e.HasKey(p => new { p.Generation, p.TransactionId });
            e.Property(p => p.Kind).HasConversion<string>().HasMaxLength(20);
            e.HasIndex(p => new { p.Generation, p.Day, p.Kind });
            e.HasIndex(p => new { p.Generation, p.AccountId });
        });
        model.Entity<TaskFact>(e =>
        {
            e.ToTable("tasks");
            e.HasKey(t => new { t.Generation, t.TaskId });
            e.Property(t => t.TaskId).ValueGeneratedNever();
            e.Property(t => t.Title).HasMaxLength(500);
            e.Property(t => t.JiraId).HasMaxLength(100);
            e.Ignore(t => t.IsPlaceholder);
        });
        model.Entity<ClosedDayFact>(e =>
        {
            e.ToTable("closed_days");
            e.HasKey(d => new { d.Generation, d.Day });
        });
    }
}
