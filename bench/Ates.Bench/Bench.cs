using System.Security.Cryptography;
using Ates.Bench.Ceilings;
using Ates.LocalServers;
using Microsoft.EntityFrameworkCore;

namespace Ates.Bench;

public sealed record DayFigures(
    double CreateSeconds, double CompleteSeconds, double SettleSeconds, double TasksSettledPerSecond, double DayCloseSeconds, long Reassigned,
    double CpuMsPerTask)
{
    /// <summary>The CPU per settled task of each process (ms), when the system is more than one.</summary>
    public IReadOnlyDictionary<string, double> CpuMsPerTaskByProcess { get; init; } = new Dictionary<string, double>();

    /// <summary>With --backlog: tasks settled per second from Accounting's resume to the last credit.</summary>
    public double? BacklogSettledPerSecond { get; init; }

    /// <summary>With --fault: the fault, how it was injected and what was in flight.</summary>
    public FaultReport? Fault { get; init; }
}

public sealed record CeilingFigures(Ceiling Rabbit, Ceiling Inserts, double EventsOfRabbit, double PostingsOfInserts);

public sealed record BenchReport(
    string Machine, DateTime RunAt, BenchOptions Options, int PopugsAssignable, DayFigures Day, Latency CreditLatency, Traffic Traffic,
    Dictionary<string, double> PeakMemoryMib, CeilingFigures? Ceilings, EndStateCheck Check);

/// <summary>One benchmark run: start the system, play the day, read the figures, check the end state, measure the ceilings, stop.</summary>
public static class Bench
{
#if DEBUG
    public const string Configuration = "Debug";
#else
    public const string Configuration = "Release";
#endif

    public static async Task<BenchReport> RunAsync(BenchOptions options, DayProgress progress, TextWriter log, CancellationToken ct)
    {
        var (ates, password) = await StartAsync(options, log, ct);
        await using (ates) return (await PlayAsync(ates, password, options, progress, ct)).Report;
    }

    /// <summary>Starts the topology of <paramref name="options"/> with a fresh password for every popug.</summary>
    public static async Task<(IAtes Ates, string Password)> StartAsync(BenchOptions options, TextWriter log, CancellationToken ct)
    {
        var root = Topology.Topology.RepositoryRoot();
        var password = $"beak-bench-{Convert.ToHexString(RandomNumberGenerator.GetBytes(6))}";
        IAtes ates = options.Topology == "distributed"
            ? await DistributedAtes.StartAsync(root, Configuration, password, log, ct, options.Instances ?? Topology.Topology.DefaultAccountingInstances,
                options.DbDelayMs is { } ms ? TimeSpan.FromMilliseconds(ms) : null)
            : await EmbeddedAtes.StartAsync(root, Configuration, password, log, ct);
        return (ates, password);
    }

    /// <summary>
    /// Open loop on a started system: the popugs hired, one rate held (or the search for the highest that holds), then
    /// the day closed and the money checked as after a working day.
    /// </summary>
    public static async Task<RateReport> RunOpenLoopAsync(BenchOptions options, Action<RateStep> report, TextWriter log, CancellationToken ct)
    {
        var (ates, password) = await StartAsync(options, log, ct);
        await using (ates) return await PlayOpenLoopAsync(ates, password, options, report, ct);
    }

    /// <summary>The open loop on a running system (see <see cref="RunOpenLoopAsync"/>).</summary>
    public static async Task<RateReport> PlayOpenLoopAsync(IAtes ates, string password, BenchOptions options, Action<RateStep> report, CancellationToken ct)
    {
        using var api = new AtesApi(ates.Url, password);
        var runAt = DateTime.UtcNow;
        var day = new WorkingDay(api, ates, options, new DayProgress());
        var load = new SteadyRate(api, ates, await day.HireAsync(ct), options);
        List<RateStep> steps;
        double? highest = null;
        if (options.FindRateFrom is { } start) (steps, highest) = await load.SearchAsync(start, options.Step, options.P99BoundMs, report, ct);
        else
        {
            await load.WarmUpAsync(options.Rate!.Value, ct);
            steps = [await load.HoldAsync(options.Rate!.Value, options.Duration, ct)];
            report(steps[0]);
        }
        var closed = await day.CloseDayAsync(ct);
        var record = new DayResult(runAt, default, default, default, DateTime.UtcNow, default, closed, options.Popugs, [.. load.CompletedAt.Keys], 0, load.CompletedAt);
        return new RateReport(Machine(), runAt, options, steps, highest, await EndState.VerifyAsync(ates, record, ct));
    }

    /// <summary>The day on a running system, its figures and its check; with the day's own record, for a second look.</summary>
    public static async Task<(BenchReport Report, DayResult Day)> PlayAsync(IAtes ates, string password, BenchOptions options, DayProgress progress,
        CancellationToken ct)
    {
        using var api = new AtesApi(ates.Url, password);
        var day = await new WorkingDay(api, ates, options, progress).RunAsync(ct);
        var memory = Figures.PeakMemory(ates);
        var check = await EndState.VerifyAsync(ates, day, ct);
        var latency = await Figures.CreditLatencyAsync(ates, day, ct);
        var traffic = await Figures.TrafficAsync(ates, day, ct);
        var ceilings = options.CeilingMessages > 0 ? await CeilingsAsync(ates, options.CeilingMessages, traffic, ct) : null;

        var figures = new DayFigures(day.Created.TotalSeconds, (day.Completed - day.Created).TotalSeconds, day.Settled.TotalSeconds,
            day.Tasks.Count / day.Settled.TotalSeconds, day.DayClose.TotalSeconds, day.Reassigned, day.Cpu.Values.Sum(c => c.TotalMilliseconds) / day.Tasks.Count)
        {
            BacklogSettledPerSecond = day.Resumed is { } resumed ? day.Tasks.Count / (day.Settled - resumed).TotalSeconds : null,
            Fault = day.Fault,
            CpuMsPerTaskByProcess = day.Cpu.Count > 1 ? day.Cpu.ToDictionary(p => p.Key, p => p.Value.TotalMilliseconds / day.Tasks.Count) : new Dictionary<string, double>(),
        };
        return (new BenchReport(Machine(), day.StartedAt, options, day.Popugs, figures, latency, traffic, memory, ceilings, check), day);
    }

    /// <summary>
    /// Measured after the day on the same machine: the broker the system used (a private one for the embedded bus,
    /// which has none) and Accounting's own database.
    /// </summary>
    static async Task<CeilingFigures> CeilingsAsync(IAtes ates, int count, Traffic traffic, CancellationToken ct)
    {
        Ceiling rabbit;
        if (ates.AmqpUri is { } uri) rabbit = await RawRabbit.PublishConsumeAsync(uri, count);
        else
        {
            await using var broker = await RabbitMqServer.StartAsync(ct);
            rabbit = await RawRabbit.PublishConsumeAsync(broker.AmqpUri, count);
        }
        await using var accounting = Books.Accounting(ates);
        var inserts = await RawInserts.InsertAsync(accounting.Database.GetDbConnection(), count, accounting.Database.IsNpgsql() ? "PostgreSQL" : "SQLite");
        return new CeilingFigures(rabbit, inserts, traffic.PublishedPerSecond / rabbit.PerSecond, traffic.PostingsPerSecond / inserts.PerSecond);
    }

    internal static string Machine() =>
        $"{Environment.ProcessorCount} cores, {File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':')[1].Trim()}, " +
        $"{Environment.OSVersion}, .NET {Environment.Version}";
}
