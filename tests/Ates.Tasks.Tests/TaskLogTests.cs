using Npgsql;
using static Ates.Tasks.Tests.TasksSystem;

namespace Ates.Tasks.Tests;

/// <summary>
/// Task writes run one at a time (the task log lock). Within one process they wait for their turn in memory: a crowd
/// of requests waiting in PostgreSQL for the lock held the whole connection pool and starved the holder.
/// </summary>
public sealed class TaskLogTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Concurrent_creations_wait_for_their_turn_without_a_connection_waiting_on_the_lock()
    {
        await using var system = await StartAsync(database: "postgres");
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
    }
}
