using System.Collections.Concurrent;
using System.Diagnostics;
using Ates.Contracts;
using Ates.Messaging.Inbox;
using Ates.Messaging.Outbox;
using Microsoft.EntityFrameworkCore;
using Ates.Accounting.Ledger;

namespace Ates.Bench;

/// <summary>One rate held for a while: what arrived, what was credited, and how long a credit took.</summary>
public sealed record RateStep(double Rate, double Seconds, int Arrived, int Credited, double AchievedPerSecond, double P50Ms, double P99Ms, double MaxMs)
{
    /// <summary>Of the completions: p99 from the commit in Tasks to the relay's confirmed publish.</summary>
    public double RelayP99Ms { get; init; }

    /// <summary>Of the completions: p99 from the confirmed publish to the inbox row in Accounting (transport and consumer).</summary>
    public double DeliveryP99Ms { get; init; }

    /// <summary>CPU of the system's processes from the first arrival to the last credit, per task: at a fixed rate each
    /// build does the same work a second, where a closed-loop day runs each at its own pace.</summary>
    public double CpuMsPerTask { get; init; }

    /// <summary>Ten-second windows of the hold (by completion) whose slowest credit passed the bound: when the waits came.</summary>
    public IReadOnlyList<SlowWindow> SlowWindows { get; init; } = [];

    /// <summary>Kept up: every task credited, the arrivals on time, and p99 completion → credit within the bound.</summary>
    public bool Holds(double p99BoundMs) => Credited == Arrived && AchievedPerSecond >= 0.95 * Rate && P99Ms <= p99BoundMs;
}

/// <summary>Completions from <paramref name="FromSecond"/> of a hold for ten seconds: how many, and the slowest credit and stages.</summary>
public sealed record SlowWindow(int FromSecond, int Completions, double MaxMs, double MaxRelayMs, double MaxDeliveryMs);

public sealed record RateReport(string Machine, DateTime RunAt, BenchOptions Options, IReadOnlyList<RateStep> Steps, double? HighestHeldRate,
    EndStateCheck Check);

/// <summary>
/// Open-loop load: tasks arrive at a fixed rate whatever the pace of the answers, so a slow system cannot hide its
/// queue by slowing the load down. Each arrival is a task created by a random popug and completed at once by its
/// assignee; the latency is from the completion's answer to the reward's posting in Accounting.
/// </summary>
public sealed class SteadyRate(AtesApi api, IAtes ates, IReadOnlyList<Popug> popugs, BenchOptions options)
{
    readonly Dictionary<Guid, Popug> _byId = popugs.ToDictionary(p => p.Id);
    readonly ConcurrentDictionary<Guid, DateTime> _completedAt = new();
    int _serial;

    /// <summary>Every task completed so far, and when its completion was answered: for the end-state check.</summary>
    public IReadOnlyDictionary<Guid, DateTime> CompletedAt => _completedAt;

    /// <summary>Holds <paramref name="rate"/> tasks a second for <paramref name="duration"/>, then waits for their credits.</summary>
    public async Task<RateStep> HoldAsync(double rate, TimeSpan duration, CancellationToken ct)
    {
        var arrivals = Math.Max(1, (int)Math.Round(rate * duration.TotalSeconds));
        var mine = new ConcurrentDictionary<Guid, DateTime>();
        var running = new List<Task>(arrivals);
        var cpuBefore = Figures.CpuTime(ates);
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < arrivals; i++)
        {
            var due = TimeSpan.FromSeconds(i / rate);
            if (due > clock.Elapsed) await Task.Delay(due - clock.Elapsed, ct);
            running.Add(ArriveAsync(mine, ct));
        }
        await Task.WhenAll(running);
        var arrived = clock.Elapsed;
        var credits = await CreditsAsync(mine, ct);
        var cpu = Figures.CpuUsed(cpuBefore, Figures.CpuTime(ates)).Values.Sum(c => c.TotalMilliseconds);

        double Latency(Guid task) => credits.TryGetValue(task, out var at) ? Math.Max(0, (at - mine[task]).TotalMilliseconds) : double.PositiveInfinity;
        var latencies = mine.Keys.Select(Latency).Order().ToArray();
        var stages = await StagesAsync(mine, ct);
        double Relay(Guid task) => stages.TryGetValue(task, out var s) ? s.RelayMs : 0;
        double Delivery(Guid task) => stages.TryGetValue(task, out var s) ? s.DeliveryMs : 0;
        var started = mine.Values.Min();
        var slow = mine.Keys.GroupBy(t => (int)(mine[t] - started).TotalSeconds / 10 * 10)
            .Where(w => w.Max(Latency) > options.P99BoundMs).OrderBy(w => w.Key)
            .Select(w => new SlowWindow(w.Key, w.Count(), w.Max(Latency), w.Max(Relay), w.Max(Delivery))).ToList();
        return new RateStep(rate, arrived.TotalSeconds, arrivals, credits.Count, arrivals / arrived.TotalSeconds,
            Figures.Percentile(latencies, 0.50), Figures.Percentile(latencies, 0.99), latencies[^1])
        {
            RelayP99Ms = Figures.Percentile(mine.Keys.Select(Relay).Order().ToArray(), 0.99),
            DeliveryP99Ms = Figures.Percentile(mine.Keys.Select(Delivery).Order().ToArray(), 0.99),
            SlowWindows = slow,
            CpuMsPerTask = cpu / arrivals,
        };
    }

    /// <summary>Per task, where its completion's wait went: Tasks' relay, then the transport and Accounting's consumer.</summary>
    async Task<Dictionary<Guid, (double RelayMs, double DeliveryMs)>> StagesAsync(IReadOnlyDictionary<Guid, DateTime> tasks, CancellationToken ct)
    {
        var from = tasks.Values.Min().AddMinutes(-1);
        await using var producer = Books.Messaging(ates, "tasks");
        var completions = (await producer.Set<OutboxMessage>().AsNoTracking()
                .Where(m => m.Type == "task.completed" && m.OccurredAt >= from && m.PublishedAt != null)
                .Select(m => new { m.EventId, m.PartitionKey, m.OccurredAt, m.PublishedAt }).ToListAsync(ct))
            .Where(m => Guid.TryParse(m.PartitionKey, out var task) && tasks.ContainsKey(task)).ToList();
        var events = completions.Select(c => c.EventId).ToList();
        await using var consumer = Books.Messaging(ates, "accounting");
        var handled = await consumer.Set<InboxMessage>().AsNoTracking().Where(m => m.Type == "task.completed" && m.HandledAt >= from)
            .Select(m => new { m.EventId, m.HandledAt }).ToListAsync(ct);
        var handledAt = handled.Where(h => events.Contains(h.EventId)).ToDictionary(h => h.EventId, h => h.HandledAt);
        return completions.Where(c => handledAt.ContainsKey(c.EventId)).ToDictionary(c => Guid.Parse(c.PartitionKey),
            c => ((c.PublishedAt!.Value - c.OccurredAt).TotalMilliseconds, (handledAt[c.EventId] - c.PublishedAt!.Value).TotalMilliseconds));
    }

    async Task ArriveAsync(ConcurrentDictionary<Guid, DateTime> mine, CancellationToken ct)
    {
        var n = Interlocked.Increment(ref _serial);
        var creator = popugs[Random.Shared.Next(popugs.Count)];
        var task = await api.PostAsync(creator, "tasks/api/tasks", new { title = $"Steady beak {n}", jira_id = $"RATE-{n}", description = "" }, ct);
        var id = task.GetProperty("id").GetGuid();
        await api.PostAsync(_byId[task.GetProperty("assignee_id").GetGuid()], $"tasks/api/tasks/{id}/complete", null, ct);
        _completedAt[id] = mine[id] = DateTime.UtcNow;
    }

    /// <summary>The rewards of these tasks as Accounting posted them, waiting up to the patience for the last.</summary>
    async Task<Dictionary<Guid, DateTime>> CreditsAsync(IReadOnlyDictionary<Guid, DateTime> tasks, CancellationToken ct)
    {
        await using var accounting = Books.Accounting(ates);
        var from = tasks.Values.Min().AddMinutes(-1);
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var posted = await accounting.Transactions.AsNoTracking().Where(t => t.Kind == TransactionKind.Reward && t.At >= from)
                .Select(t => new { t.TaskId, t.At }).ToListAsync(ct);
            var credits = posted.Where(p => p.TaskId is { } id && tasks.ContainsKey(id)).ToDictionary(p => p.TaskId!.Value, p => p.At);
            if (credits.Count == tasks.Count || deadline.Elapsed > options.Patience) return credits;
            await Task.Delay(TimeSpan.FromMilliseconds(200), ct);
        }
    }

    /// <summary>Ten seconds at <paramref name="rate"/>, not counted: the JIT, the connection pools and the first queries.</summary>
    public Task WarmUpAsync(double rate, CancellationToken ct) => HoldAsync(rate, TimeSpan.FromSeconds(10), ct);

    /// <summary>
    /// The highest rate whose p99 stays within the bound: after a warm-up, doubles from the start rate while each step
    /// holds, then halves the gap between the last rate that held and the first that did not, three times.
    /// </summary>
    public async Task<(List<RateStep> Steps, double? Highest)> SearchAsync(double start, TimeSpan step, double p99BoundMs, Action<RateStep> report,
        CancellationToken ct)
    {
        var steps = new List<RateStep>();
        async Task<bool> TryAsync(double rate)
        {
            var held = await HoldAsync(rate, step, ct);
            steps.Add(held);
            report(held);
            return held.Holds(p99BoundMs);
        }

        await WarmUpAsync(start, ct);
        double? good = null, bad = null;
        for (var rate = start; bad is null && rate <= 100_000; rate *= 2)
            if (await TryAsync(rate)) good = rate; else bad = rate;
        if (good is null || bad is null) return (steps, good);
        for (var i = 0; i < 3; i++)
        {
            var middle = Math.Round((good.Value + bad.Value) / 2);
            if (middle <= good || middle >= bad) break;
            if (await TryAsync(middle)) good = middle; else bad = middle;
        }
        return (steps, good);
    }
}
