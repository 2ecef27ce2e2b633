using System.Globalization;
using Ates.Contracts;
using Microsoft.EntityFrameworkCore;

namespace Ates.Bench;

public sealed record Latency(int Samples, double P50Ms, double P95Ms, double P99Ms, double MaxMs);

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
        double At(double q) => latencies[Math.Min(latencies.Length - 1, (int)Math.Ceiling(q * latencies.Length) - 1)];
        return new Latency(latencies.Length, At(0.50), At(0.95), At(0.99), latencies[^1]);
    }

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
            published += await messaging.Set<Ates.Messaging.Outbox.OutboxMessage>().CountAsync(m => m.PublishedAt >= from && m.PublishedAt <= to, ct);
            handled += await messaging.Set<Ates.Messaging.Inbox.InboxMessage>().CountAsync(m => m.HandledAt >= from && m.HandledAt <= to, ct);
        }
        await using var accounting = Books.Accounting(ates);
        var postings = await accounting.Transactions.CountAsync(t => t.At >= from && t.At <= to, ct);
        return new Traffic(published, published / seconds, handled, handled / seconds, postings, postings / seconds);
    }

    /// <summary>Peak resident memory (VmHWM) of each process, in MiB, read from /proc before the system stops.</summary>
    public static Dictionary<string, double> PeakMemory(IAtes ates)
    {
        var peaks = new Dictionary<string, double>();
        foreach (var (name, pid) in ates.Processes)
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            if (line is null) continue;
            peaks[name] = double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
        }
        return peaks;
    }
}
