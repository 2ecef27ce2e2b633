namespace Ates.Bench.Ceilings;

/// <summary>How many messages or rows the raw path moved and in how long.</summary>
public sealed record Ceiling(string Name, int Count, TimeSpan Elapsed)
{
    public double PerSecond => Count / Elapsed.TotalSeconds;
}
