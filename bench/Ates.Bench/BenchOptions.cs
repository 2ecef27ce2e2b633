using System.Globalization;

namespace Ates.Bench;

/// <summary>The day to play and where: P popugs, T tasks, S shuffles, C requests at a time, on one topology.</summary>
public sealed record BenchOptions
{
    public string Topology { get; init; } = "embedded";
    public int Popugs { get; init; } = 100;
    public int Tasks { get; init; } = 10_000;
    public int Shuffles { get; init; } = 3;
    public int Concurrency { get; init; } = 16;

    /// <summary>Accounting's instances on the distributed topology (the parser fills in its default); null on the embedded host.</summary>
    public int? Instances { get; init; }

    /// <summary>Distributed: how long each way Accounting's bytes to and from PostgreSQL are held back; null: a direct connection.</summary>
    public double? DbDelayMs { get; init; }

    /// <summary>
    /// Distributed: Accounting's instances are paused (SIGSTOP) while the tasks are created and completed, then resumed,
    /// so the settling that follows measures Accounting's own pace on a backlog rather than the pace of Tasks' requests.
    /// </summary>
    public bool Backlog { get; init; }

    /// <summary>Distributed: a fault injected as Accounting works through the day's backlog (<see cref="Ates.Bench.Fault.Names"/>).</summary>
    public string? Fault { get; init; }

    /// <summary>Working days in a row, each of <see cref="Tasks"/> tasks and <see cref="Shuffles"/> shuffles.</summary>
    public int Days { get; init; } = 1;
    public string? Json { get; init; }

    /// <summary>Messages for the raw RabbitMQ ceiling and rows for the raw insert ceiling; 0 skips the ceilings.</summary>
    public int CeilingMessages { get; init; } = 20_000;

    /// <summary>How long the system may take to settle every task and close the day before the run fails.</summary>
    public TimeSpan Patience { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>Open loop: tasks arriving per second, held for <see cref="Duration"/> (instead of the day's waves).</summary>
    public double? Rate { get; init; }

    /// <summary>Open loop: the rate to start the search for the highest rate that holds (<see cref="P99BoundMs"/>).</summary>
    public double? FindRateFrom { get; init; }

    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(60);
    public TimeSpan Step { get; init; } = TimeSpan.FromSeconds(20);
    public double P99BoundMs { get; init; } = 1000;

    public bool OpenLoop => Rate is not null || FindRateFrom is not null;

    public const string Usage = """
        dotnet run -c Release --project bench/Ates.Bench -- [options]
          --topology embedded|distributed   the one-process host, or every service as its own process on PostgreSQL and RabbitMQ
          --popugs P          workers created through Auth's admin API (default 100)
          --tasks T           tasks created (default 10000)
          --shuffles S        shuffles, spread evenly over the creations (default 3)
          --concurrency C     requests in flight at once (default 16)
          --instances N       distributed only: Accounting instances, 1 to 8 (default 2)
          --db-delay MS       distributed only: Accounting reaches PostgreSQL through a proxy that holds every chunk back
                              MS milliseconds each way (0 to 1000; 0 measures the proxy's own hop)
          --backlog           distributed only: Accounting paused while the tasks are created and completed, then resumed;
                              the report adds how fast it settles that backlog (Accounting's own pace)
          --fault NAME        distributed only, implies --backlog: broker-restart, database-restart, kill-accounting or
                              kill-tasks, injected as Accounting works through the day's events; the end-state check follows
          --days N            N working days in a row, each of T tasks and S shuffles: per day the close and the
                              accountant's reads (default 1: one day with the full report)
          --ceiling N         messages / rows for the raw RabbitMQ and raw insert ceilings; 0 skips them (default 20000)
          --json FILE         also write the report as JSON
          --patience MINUTES  how long settling and the day close may take (default 30)
        open loop (tasks arrive at a fixed rate; each is created and completed at once):
          --rate N            after ten seconds of warm-up, hold N tasks a second for --duration seconds (default 60)
                              and report completion → credit, and the ten-second windows whose slowest credit passed --p99
          --find-rate N       from N tasks a second, double while p99 stays within --p99 ms (default 1000), then narrow;
                              each rate held for --step seconds (default 20)
        """;

    public static BenchOptions Parse(string[] args)
    {
        var options = new BenchOptions();
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            double Positive() => double.Parse(Value(), CultureInfo.InvariantCulture) is var x and > 0 ? x : throw new ArgumentException($"{args[i - 1]} must be positive.");
            int Number() => int.Parse(Value(), CultureInfo.InvariantCulture) is var n and >= 0 ? n : throw new ArgumentException($"{args[i - 1]} must not be negative.");
            int Instances() => int.Parse(Value(), CultureInfo.InvariantCulture) is var n and >= 1 and <= 8 ? n : throw new ArgumentException("--instances is 1 to 8.");
            double Delay() => double.Parse(Value(), CultureInfo.InvariantCulture) is var ms and >= 0 and <= 1000 ? ms : throw new ArgumentException("--db-delay is 0 to 1000 ms.");
            options = args[i] switch
            {
                "--topology" => options with { Topology = KnownTopology(Value()) },
                "--popugs" => options with { Popugs = Number() },
                "--tasks" => options with { Tasks = Number() },
                "--shuffles" => options with { Shuffles = Number() },
                "--concurrency" => options with { Concurrency = Math.Max(1, Number()) },
                "--instances" => options with { Instances = Instances() },
                "--db-delay" => options with { DbDelayMs = Delay() },
                "--backlog" => options with { Backlog = true },
                "--fault" => options with { Fault = KnownFault(Value()), Backlog = true },
                "--days" => options with { Days = Math.Max(1, Number()) },
                "--ceiling" => options with { CeilingMessages = Number() },
                "--json" => options with { Json = Value() },
                "--patience" => options with { Patience = TimeSpan.FromMinutes(Number()) },
                "--rate" => options with { Rate = Positive() },
                "--find-rate" => options with { FindRateFrom = Positive() },
                "--duration" => options with { Duration = TimeSpan.FromSeconds(Positive()) },
                "--step" => options with { Step = TimeSpan.FromSeconds(Positive()) },
                "--p99" => options with { P99BoundMs = Positive() },
                _ => throw new ArgumentException($"Unknown option {args[i]}."),
            };
        }
        if (options.Topology != "distributed")
        {
            // Checked after the loop: the options may come before --topology.
            if (options.Instances is not null || options.DbDelayMs is not null || options.Backlog)
                throw new ArgumentException("--instances, --db-delay, --backlog and --fault apply to --topology distributed only.");
            return options;
        }
        return options with { Instances = options.Instances ?? Ates.Topology.Topology.DefaultAccountingInstances };
    }

    /// <summary>The topology as the report names it, e.g. "distributed (3 Accounting instances, PostgreSQL 1 ms away each way)".</summary>
    public string TopologyLabel()
    {
        if (Topology != "distributed") return Topology;
        var instances = Instances ?? Ates.Topology.Topology.DefaultAccountingInstances;
        var label = $"distributed ({instances} Accounting instance{(instances == 1 ? "" : "s")}";
        if (DbDelayMs is { } ms) label += string.Create(CultureInfo.InvariantCulture, $", PostgreSQL {ms} ms away each way");
        return label + (Backlog ? ", Accounting paused until the completions" : "") + (Fault is { } fault ? $", fault: {fault}" : "") + ")";
    }

    static string KnownFault(string name) =>
        Ates.Bench.Fault.Names.Contains(name) ? name : throw new ArgumentException($"--fault is one of {string.Join(", ", Ates.Bench.Fault.Names)}, not {name}.");

    static string KnownTopology(string name) =>
        name is "embedded" or "distributed" ? name : throw new ArgumentException($"--topology is embedded or distributed, not {name}.");
}
