using Ates.Contracts;
using Ates.ServiceDefaults.Hosting;
using Ates.Tasks.Creating;
using Ates.Tasks.Data;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using static Ates.Tasks.Tests.TasksSystem;

namespace Ates.Tasks.Tests;

/// <summary>
/// Task writes run one turn at a time (the task log lock). Within one process they wait for their turn in memory: a
/// crowd of requests waiting in PostgreSQL for the lock held the whole connection pool and starved the holder. The
/// writes that wait together commit together (<see cref="TaskWriter"/>).
/// </summary>
public sealed class TaskLogTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Concurrent_creations_wait_for_their_turn_without_a_connection_waiting_on_the_lock()
    {
        await using var system = await StartAsync(database: "postgres");
        await RecordWritingTransactionsAsync(system);
        using var api = await system.ApiAsync("manager@popug.inc");

        // What the database sees meanwhile: backends of the Tasks database waiting for the task log's advisory lock.
        await using var watch = new NpgsqlConnection(system.Postgres!.ConnectionString("tasks"));
        await watch.OpenAsync(Ct);
        await using var waiting = new NpgsqlCommand(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = 'tasks' AND wait_event_type = 'Lock' AND wait_event = 'advisory'", watch);
        using var done = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var samples = 0;
        var mostWaiting = 0L;
        var watching = Task.Run(async () =>
        {
            while (!done.IsCancellationRequested)
            {
                mostWaiting = Math.Max(mostWaiting, (long)(await waiting.ExecuteScalarAsync(Ct))!);
                samples++;
            }
        }, Ct);

        const int creations = 40;
        var created = await Task.WhenAll(Enumerable.Range(1, creations).Select(async i =>
        {
            using var response = await api.PostAsync("/api/tasks", Json(new { title = $"Crowd {i}", description = "" }), Ct);
            return (int)response.StatusCode;
        }));
        await done.CancelAsync();
        await watching;

        Assert.All(created, status => Assert.Equal(201, status));
        Assert.True(samples >= 10, $"the watch should have looked while the creations ran ({samples} samples)");
        Assert.Equal(0, mostWaiting);
        Assert.Equal(creations * 2, (await system.EventsAsync()).Count(e => e.Type is "task.created" or "task.assigned"));

        // The writes that waited went in shared turns: fewer transactions than creations, each task's two events in one,
        // created before assigned.
        var rows = await CreationRowsAsync(system);
        Assert.Equal(creations * 2, rows.Count);
        var transactions = rows.Select(r => r.Transaction).Distinct().Count();
        Assert.True(transactions < creations, $"{creations} concurrent creations should share turns; they took {transactions} transactions");
        foreach (var task in rows.GroupBy(r => r.Task))
        {
            Assert.Equal(["task.created", "task.assigned"], task.OrderBy(r => r.Sequence).Select(r => r.Type));
            Assert.Single(task.Select(r => r.Transaction).Distinct());
        }
    }

    [Fact]
    public async Task A_write_that_fails_in_a_shared_turn_costs_only_itself()
    {
        await using var system = await StartAsync(database: "postgres");
        await RecordWritingTransactionsAsync(system);
        var writer = system.Tasks.Services.GetRequiredService<TaskWriter>();
        var manager = await system.UserIdAsync("manager@popug.inc");

        // A write that holds the turn, so that the next three wait for it and then go in one turn together.
        var holding = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var held = writer.WriteAsync(async (_, _) =>
        {
            holding.SetResult();
            await release.Task;
            return new Refusal(409, "Held", "Held the turn; changes nothing.");
        }, Ct);
        await holding.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);

        using var scope = system.Tasks.Services.CreateScope();
        var create = scope.ServiceProvider.GetRequiredService<CreateTask>();
        var first = create.RunAsync(new TaskInput("Before the failing one", null, ""), manager, Ct);
        var failing = writer.WriteAsync((turn, _) =>
        {
            // Staged, then failed: none of it may reach the log.
            turn.Outbox.Add(new TaskCreated(Guid.CreateVersion7(), "Never stored", null, "", 1), "never", DateTimeOffset.UtcNow);
            throw new InvalidOperationException("This write fails.");
        }, Ct);
        var second = create.RunAsync(new TaskInput("After the failing one", null, ""), manager, Ct);
        release.SetResult();

        Assert.Equal(409, (await held).Refusal!.Status);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => failing);
        Assert.Equal("This write fails.", error.Message);
        var stored = new[] { (await first).Value!, (await second).Value! };

        var rows = await CreationRowsAsync(system);
        Assert.DoesNotContain(rows, r => r.Task == "never");
        Assert.Equal(stored.Select(t => t.Id.ToString()).Order(), rows.Select(r => r.Task).Distinct().Order());
    }

    /// <summary>
    /// From now on, the transaction that inserts each outbox row is recorded beside it. The row's own xmin will not do:
    /// the relay's update that marks the row published replaces it with the relay's transaction.
    /// </summary>
    static async Task RecordWritingTransactionsAsync(TasksSystem system)
    {
        await using var connection = new NpgsqlConnection(system.Postgres!.ConnectionString("tasks"));
        await connection.OpenAsync(Ct);
        await using var ddl = new NpgsqlCommand("""
            CREATE TABLE outbox_writer ("Sequence" bigint PRIMARY KEY, "Transaction" xid8 NOT NULL);
            CREATE FUNCTION record_outbox_writer() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                INSERT INTO outbox_writer VALUES (NEW."Sequence", pg_current_xact_id());
                RETURN NEW;
            END $$;
            CREATE TRIGGER outbox_writer AFTER INSERT ON outbox FOR EACH ROW EXECUTE FUNCTION record_outbox_writer();
            """, connection);
        await ddl.ExecuteNonQueryAsync(Ct);
    }

    /// <summary>The creations' outbox rows with the transaction that inserted each (<see cref="RecordWritingTransactionsAsync"/>).</summary>
    static async Task<List<(long Sequence, string Type, string Task, string Transaction)>> CreationRowsAsync(TasksSystem system)
    {
        await using var connection = new NpgsqlConnection(system.Postgres!.ConnectionString("tasks"));
        await connection.OpenAsync(Ct);
        await using var query = new NpgsqlCommand("""
            SELECT o."Sequence", o."Type", o."PartitionKey", w."Transaction"::text
            FROM outbox o JOIN outbox_writer w ON w."Sequence" = o."Sequence"
            WHERE o."Type" IN ('task.created', 'task.assigned') ORDER BY o."Sequence"
            """, connection);
        await using var reader = await query.ExecuteReaderAsync(Ct);
        var rows = new List<(long, string, string, string)>();
        while (await reader.ReadAsync(Ct)) rows.Add((reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3)));
        return rows;
    }
}
