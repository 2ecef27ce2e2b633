using Ates.Messaging.Outbox;
using Ates.Messaging.Node;
using Microsoft.EntityFrameworkCore;

namespace Ates.Messaging.Tests;

/// <summary>The relay is woken when, and only when, a commit brought outbox rows.</summary>
public sealed class OutboxSignalTests : IAsyncLifetime
{
    readonly string _file = Path.Combine(Path.GetTempPath(), $"ates-signal-{Guid.NewGuid():N}.db");
    readonly OutboxSignal _signal = new();
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    TestDb NewDb() => new(new DbContextOptionsBuilder<TestDb>().UseSqlite($"Data Source={_file}").AddInterceptors(new OutboxSignalInterceptor(_signal, new MessagingOptions { Service = "tasks" })).Options);

    public async ValueTask InitializeAsync()
    {
        await using var db = NewDb();
        await db.Database.EnsureCreatedAsync(Ct);
    }

    public ValueTask DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        File.Delete(_file);
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task A_save_without_outbox_rows_wakes_nobody_and_one_with_them_wakes_the_relay_after_its_commit()
    {
        await using var db = NewDb();
        db.CreatedTasks.Add(new CreatedTask { TaskId = Guid.NewGuid(), Title = "Polish the beak" });
        await db.SaveChangesAsync(Ct);
        Assert.False(await _signal.WaitAsync(TimeSpan.Zero, Ct));

        await using (var transaction = await db.Database.BeginTransactionAsync(Ct))
        {
            // A tracked entity changed as well: the check for outbox rows must not depend on detecting that.
            (await db.CreatedTasks.SingleAsync(Ct)).Title = "Polish the beak twice";
            db.Set<OutboxMessage>().Add(new OutboxMessage
            {
                EventId = Guid.NewGuid(), Type = "task.created", Version = 2, DataSchema = "schemas/tasks/task.created/2.json",
                PartitionKey = "x", Data = "{}", OccurredAt = DateTime.UtcNow,
            });
            await db.SaveChangesAsync(Ct);
            Assert.False(await _signal.WaitAsync(TimeSpan.Zero, Ct));
            await transaction.CommitAsync(Ct);
        }

        Assert.True(await _signal.WaitAsync(TimeSpan.Zero, Ct));
        Assert.True(db.ChangeTracker.AutoDetectChangesEnabled);
        await using var reread = NewDb();
        Assert.Equal("Polish the beak twice", await reread.CreatedTasks.Select(t => t.Title).SingleAsync(Ct));
    }
}
