// Events per second from outbox commit to consumer commit, per transport and database, beside the
// raw RabbitMQ.Client ceiling (persistent messages, publisher confirms, manual acks) measured in the same run.
//   dotnet run -c Release --project bench/Ates.Bench.Messaging -- [--events 5000] [--json result.json]
using System.Text.Json;
using Ates.Bench.Ceilings;
using Ates.Bench.Messaging;
using Ates.LocalServers;

var events = ArgValue("--events", 5000);
var jsonPath = args.SkipWhile(a => a != "--json").Skip(1).FirstOrDefault();

Console.WriteLine($"Starting private RabbitMQ and PostgreSQL servers…");
await using var rabbit = await RabbitMqServer.StartAsync();
await using var postgres = await PostgresServer.StartAsync();

var results = new List<Result>();
var raw = await RawRabbit.PublishConsumeAsync(rabbit.AmqpUri, events);
var ceiling = new Result(raw.Name, raw.Count, raw.Elapsed);
results.Add(ceiling);
Report(ceiling, null);

foreach (var (transport, database) in new[] { ("embedded", "sqlite"), ("embedded", "postgres"), ("rabbitmq", "sqlite"), ("rabbitmq", "postgres") })
{
    var result = await Pipeline.RunAsync(transport, database, events, rabbit, postgres);
    results.Add(result);
    Report(result, transport == "rabbitmq" ? ceiling : null);
}

Console.WriteLine();
Console.WriteLine($"{"path",-42} {"events",8} {"seconds",8} {"events/s",10} {"of raw",8}");
foreach (var r in results)
    Console.WriteLine($"{r.Name,-42} {r.Events,8} {r.Seconds,8:F2} {r.PerSecond,10:F0} {(r.RatioToRaw is { } ratio ? $"{ratio:P0}" : ""),8}");

if (jsonPath is not null)
    await File.WriteAllTextAsync(jsonPath, JsonSerializer.Serialize(new { machine = Machine.Describe(), events, results }, new JsonSerializerOptions { WriteIndented = true }));

void Report(Result result, Result? raw)
{
    if (raw is not null) result.RatioToRaw = result.PerSecond / raw.PerSecond;
    Console.WriteLine($"  {result.Name}: {result.PerSecond:F0} events/s{(result.ProducerSeconds is { } p ? $" (producers done after {p:F2} s)" : "")}");
}

int ArgValue(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1]) : fallback;
}

namespace Ates.Bench.Messaging
{
    public sealed class Result(string name, int events, TimeSpan elapsed)
    {
        public string Name { get; } = name;
        public int Events { get; } = events;
        public double Seconds { get; } = elapsed.TotalSeconds;
        public double PerSecond => Events / Seconds;
        public double? RatioToRaw { get; set; }

        /// <summary>Of <see cref="Seconds"/>, how long the producers took to commit every event (outbox rows written).</summary>
        public double? ProducerSeconds { get; init; }
    }

    static class Machine
    {
        public static string Describe() => $"{Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}";
    }
}
