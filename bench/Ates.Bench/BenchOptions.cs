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
    public string? Json { get; init; }

    /// <summary>Messages for the raw RabbitMQ ceiling and rows for the raw insert ceiling; 0 skips the ceilings.</summary>
    public int CeilingMessages { get; init; } = 20_000;

    /// <summary>How long the system may take to settle every task and close the day before the run fails.</summary>
    public TimeSpan Patience { get; init; } = TimeSpan.FromMinutes(30);

    public const string Usage = """
        dotnet run -c Release --project bench/Ates.Bench -- [options]
          --topology embedded|distributed   the one-process host, or every service as its own process on PostgreSQL and RabbitMQ
          --popugs P          workers created through Auth's admin API (default 100)
          --tasks T           tasks created (default 10000)
          --shuffles S        shuffles, spread evenly over the creations (default 3)
          --concurrency C     requests in flight at once (default 16)
          --ceiling N         messages / rows for the raw RabbitMQ and raw insert ceilings; 0 skips them (default 20000)
          --json FILE         also write the report as JSON
          --patience MINUTES  how long settling and the day close may take (default 30)
        """;

    public static BenchOptions Parse(string[] args)
    {
        var options = new BenchOptions();
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            int Number() => int.Parse(Value(), CultureInfo.InvariantCulture) is var n and >= 0 ? n : throw new ArgumentException($"{args[i - 1]} must not be negative.");
            options = args[i] switch
            {
                "--topology" => options with { Topology = KnownTopology(Value()) },
                "--popugs" => options with { Popugs = Number() },
                "--tasks" => options with { Tasks = Number() },
                "--shuffles" => options with { Shuffles = Number() },
                "--concurrency" => options with { Concurrency = Math.Max(1, Number()) },
                "--ceiling" => options with { CeilingMessages = Number() },
                "--json" => options with { Json = Value() },
                "--patience" => options with { Patience = TimeSpan.FromMinutes(Number()) },
                _ => throw new ArgumentException($"Unknown option {args[i]}."),
            };
        }
        return options;
    }

    static string KnownTopology(string name) =>
        name is "embedded" or "distributed" ? name : throw new ArgumentException($"--topology is embedded or distributed, not {name}.");
}
