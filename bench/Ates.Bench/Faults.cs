using System.Diagnostics;
using Ates.Messaging.Outbox;
using Microsoft.EntityFrameworkCore;

namespace Ates.Bench;

/// <summary>What a fault found in flight and how long it took to inject.</summary>
public sealed record FaultReport(string Fault, string How, long InFlight, string InFlightWhat, double InjectSeconds);

/// <summary>
/// A fault injected into the distributed topology (<c>--fault</c>) while the day's events are in flight: Accounting was
/// paused through the creations and completions (as <c>--backlog</c>), and the fault hits as it works through them.
/// The day then settles, closes and is checked as every day is: nothing lost, nothing doubled.
/// </summary>
public sealed class Fault(string name, Topology.Topology topology)
{
    public static readonly string[] Names = ["broker-restart", "database-restart", "kill-accounting", "kill-tasks"];

    static readonly TimeSpan Down = TimeSpan.FromSeconds(3);

    /// <summary>kill-tasks: the broker frozen through the completions, so that Tasks commits them and cannot publish them.</summary>
    public void BeforeCompletions()
    {
        if (name == "kill-tasks") topology.FreezeBroker(true);
    }

    public async Task<FaultReport> InjectAsync(IAtes ates, DayProgress progress, int tasks, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var unsettled = tasks - Volatile.Read(ref progress.TasksSettled);
        var report = name switch
        {
            "broker-restart" => await Run(() => topology.RestartBrokerAsync(Down, ct),
                $"RabbitMQ stopped (SIGTERM), {Down.TotalSeconds:0} s down, started again on its port and data", unsettled),
            "database-restart" => await Run(async () =>
                {
                    await topology.RestartDatabaseAsync(Down, ct);
                    // The benchmark's own pooled connections died with the server.
                    Npgsql.NpgsqlConnection.ClearAllPools();
                },
                $"PostgreSQL stopped (fast shutdown, open transactions rolled back), {Down.TotalSeconds:0} s down, started again", unsettled),
            "kill-accounting" => await Run(() => topology.KillAsync(LastAccounting()),
                $"SIGKILL of {LastAccounting()} (not started again: the others take its partitions)", unsettled),
            "kill-tasks" => await KillTasksAsync(ates, ct),
            _ => throw new ArgumentException($"Unknown fault {name}."),
        };
        return report with { InjectSeconds = clock.Elapsed.TotalSeconds };
    }

    string LastAccounting() => topology.Processes.Select(p => p.Name).Last(n => n.StartsWith("accounting", StringComparison.Ordinal));

    async Task<FaultReport> Run(Func<Task> fault, string how, long unsettled)
    {
        await fault();
        return new FaultReport(name, how, unsettled, "tasks not credited yet", 0);
    }

    /// <summary>Tasks SIGKILLed with completions committed in its outbox and not published; the broker thawed; Tasks started again.</summary>
    async Task<FaultReport> KillTasksAsync(IAtes ates, CancellationToken ct)
    {
        await topology.KillAsync("tasks");
        long unpublished;
        await using (var db = Books.Tasks(ates)) unpublished = await db.Set<OutboxMessage>().LongCountAsync(m => m.PublishedAt == null, ct);
        topology.FreezeBroker(false);
        await topology.StartAgainAsync("tasks", ct);
        return new FaultReport(name, "RabbitMQ frozen (SIGSTOP) through the completions, Tasks SIGKILLed, RabbitMQ thawed, Tasks started again",
            unpublished, "task events committed in Tasks' outbox and not published", 0);
    }

    /// <summary>However the day ended: nothing stays frozen.</summary>
    public void Release() => topology.FreezeBroker(false);
}
