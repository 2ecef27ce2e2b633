using System.Globalization;
using Ates.Contracts;
using Ates.Messaging.Inbox;
using Ates.Messaging.Outbox;
using Microsoft.EntityFrameworkCore;
using Ates.Accounting.Ledger;

namespace Ates.Bench;

public sealed record Latency(int Samples, double P50Ms, double P95Ms, double P99Ms, double MaxMs)
{
    /// <summary>Of a task.completed: from its commit in Tasks to the relay's confirmed publish (p50, p95).</summary>
    public Stage Relay { get; init; } = new(0, 0);

    /// <summary>Of a task.completed: from its confirmed publish to its inbox row in Accounting (p50, p95).</summary>
    public Stage Delivery { get; init; } = new(0, 0);

    /// <summary>
    /// Of Accounting's transaction.applied (a producer with as many instances as Accounting, one relay active): from
    /// its commit to the relay's confirmed publish (p50, p95).
    /// </summary>
    public Stage AccountingRelay { get; init; } = new(0, 0);
}

public sealed record Stage(double P50Ms, double P95Ms);

public sealed record Traffic(int Published, double PublishedPerSecond, int Handled, double HandledPerSecond, int Postings, double PostingsPerSecond);

/// <summary>What is read in bulk after the day, from the services' own records.</summary>
public static class Figures
{
    /// <summary>
    /// For every completion: from the moment its HTTP response reached the benchmark to the reward's posting time in
    /// Accounting's ledger (stamped inside the consuming transaction, which commits right after). One clock: same
    /// machine. A reward posted before the response arrived counts as 0 ms.
    /// </summary>
    public static async Task<Latency> CreditLatencyAsync(IAtes ates, DayResult day, CancellationToken ct)
    {
        await using var accounting = Books.Accounting(ates);
        var posted = await accounting.Transactions.AsNoTracking().Where(t => t.Kind == TransactionKind.Reward)
            .Select(t => new { t.TaskId, t.At }).ToListAsync(ct);
        var latencies = posted.Where(p => p.TaskId is { } id && day.CompletedAt.ContainsKey(id))
            .Select(p => Math.Max(0, (p.At - day.CompletedAt[p.TaskId!.Value]).TotalMilliseconds)).Order().ToArray();
        if (latencies.Length == 0) return new Latency(0, 0, 0, 0, 0);

        // Where the time goes: the producer's relay, then the transport and the consumer.
        await using var tasks = Books.Messaging(ates, "tasks");
        var completions = await tasks.Set<OutboxMessage>().AsNoTracking().Where(m => m.Type == "task.completed")
            .Select(m => new { m.EventId, m.OccurredAt, m.PublishedAt }).ToListAsync(ct);
        await using var accountingMessaging = Books.Messaging(ates, "accounting");
        var handled = await accountingMessaging.Set<InboxMessage>().AsNoTracking().Where(m => m.Type == "task.completed")
            .ToDictionaryAsync(m => m.EventId, m => m.HandledAt, ct);
        var relay = completions.Where(c => c.PublishedAt is not null).Select(c => (c.PublishedAt!.Value - c.OccurredAt).TotalMilliseconds).Order().ToArray();
        var delivery = completions.Where(c => c.PublishedAt is not null && handled.ContainsKey(c.EventId))
            .Select(c => (handled[c.EventId] - c.PublishedAt!.Value).TotalMilliseconds).Order().ToArray();
        var applied = (await accountingMessaging.Set<OutboxMessage>().AsNoTracking()
                .Where(m => m.Type == "transaction.applied" && m.PublishedAt != null && m.OccurredAt >= day.StartedAt)
                .Select(m => new { m.OccurredAt, m.PublishedAt }).ToListAsync(ct))
            .Select(m => (m.PublishedAt!.Value - m.OccurredAt).TotalMilliseconds).Order().ToArray();
        return new Latency(latencies.Length, Percentile(latencies, 0.50), Percentile(latencies, 0.95), Percentile(latencies, 0.99), latencies[^1])
        {
            Relay = new Stage(Percentile(relay, 0.50), Percentile(relay, 0.95)),
            Delivery = new Stage(Percentile(delivery, 0.50), Percentile(delivery, 0.95)),
            AccountingRelay = new Stage(Percentile(applied, 0.50), Percentile(applied, 0.95)),
        };
    }

    public static double Percentile(double[] sorted, double q) =>
        sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, Math.Max(0, (int)Math.Ceiling(q * sorted.Length) - 1))];

    /// <summary>
    /// Between the day's start and the moment every task was settled: events the producers' relays handed to the
    /// transport (outbox rows confirmed), deliveries the consumers handled (inbox rows, over every consumer), and
    /// Accounting's ledger postings.
    /// </summary>
    public static async Task<Traffic> TrafficAsync(IAtes ates, DayResult day, CancellationToken ct)
    {
        var (from, to) = (day.StartedAt, day.SettledAt);
        var seconds = (to - from).TotalSeconds;
        int published = 0, handled = 0;
        foreach (var service in new[] { "auth", "tasks", "accounting", "analytics" })
        {
            await using var messaging = Books.Messaging(ates, service);
            published += await messaging.Set<OutboxMessage>().CountAsync(m => m.PublishedAt >= from && m.PublishedAt <= to, ct);
            handled += await messaging.Set<InboxMessage>().CountAsync(m => m.HandledAt >= from && m.HandledAt <= to, ct);
        }
        await using var accounting = Books.Accounting(ates);
        var postings = await accounting.Transactions.CountAsync(t => t.At >= from && t.At <= to, ct);
        return new Traffic(published, published / seconds, handled, handled / seconds, postings, postings / seconds);
    }

    /// <summary>
    /// CPU time used so far by the system's processes (the host, or each service, the broker and the database's
    /// postmaster; PostgreSQL's backends are processes of their own and are not in it).
    /// </summary>
    public static Dictionary<(string Name, int Pid), TimeSpan> CpuTime(IAtes ates)
    {
        var used = new Dictionary<(string Name, int Pid), TimeSpan>();
        foreach (var (name, pid) in ates.Processes)
        {
            try
            {
                using var process = System.Diagnostics.Process.GetProcessById(pid);
                used[(name, pid)] = process.TotalProcessorTime;
            }
            catch (ArgumentException)
            {
                // Gone: nothing to add.
            }
        }
        return used;
    }

    /// <summary>
    /// The CPU each process used between two readings of <see cref="CpuTime"/>; one a fault restarted counts from its
    /// new start, and what a killed one used before it died is not in it.
    /// </summary>
    public static Dictionary<string, TimeSpan> CpuUsed(Dictionary<(string Name, int Pid), TimeSpan> before, Dictionary<(string Name, int Pid), TimeSpan> after) =>
        after.GroupBy(p => p.Key.Name).ToDictionary(g => g.Key, g => g.Aggregate(TimeSpan.Zero, (sum, p) => sum + p.Value - before.GetValueOrDefault(p.Key)));

    /// <summary>Peak resident memory (VmHWM) of each process, in MiB, read from /proc before the system stops.</summary>
    public static Dictionary<string, double> PeakMemory(IAtes ates)
    {
        var peaks = new Dictionary<string, double>();
        foreach (var (name, pid) in ates.Processes)
        {
            // A process a fault killed has no figure left to read.
            if (!File.Exists($"/proc/{pid}/status")) continue;
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            if (line is null) continue;
            peaks[name] = double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
        }
        return peaks;
    }
}
