// aTES's messaging pipeline beside the same pipeline on WolverineFx, per transport and database, with the raw
// RabbitMQ.Client ceiling, all in one run (docs/decisions/0001-messaging-foundation.md).
//   dotnet run -c Release --project bench/Ates.Bench.Wolverine -- [--events 5000] [--json result.json]
//   dotnet run -c Release --project bench/Ates.Bench.Wolverine -- --cloudevents   (prints what Wolverine's CloudEvents interop publishes)
//   dotnet run -c Release --project bench/Ates.Bench.Wolverine -- --dead-letters  (lists, retries and discards a Wolverine dead letter)
using System.Text.Json;
using Ates.Bench.Ceilings;
using Ates.Bench.Messaging;
using Ates.Bench.Wolverine;
using Ates.LocalServers;

var events = ArgValue("--events", 5000);
var jsonPath = args.SkipWhile(a => a != "--json").Skip(1).FirstOrDefault();

if (args.Contains("--dead-letters"))
{
    Console.WriteLine(await DeadLetterProbe.RunAsync());
    return 0;
}

Console.WriteLine("Starting private RabbitMQ and PostgreSQL servers…");
await using var rabbit = await RabbitMqServer.StartAsync();
if (args.Contains("--cloudevents"))
{
    Console.WriteLine(await CloudEventsProbe.PublishOneAsync(rabbit));
    return 0;
}
await using var postgres = await PostgresServer.StartAsync();
var loadBefore = LoadAverage();

var results = new List<Result>();
var failures = new List<string>();
var raw = await RawRabbit.PublishConsumeAsync(rabbit.AmqpUri, events);
var ceiling = new Result(raw.Name, raw.Count, raw.Elapsed);
Add(ceiling);

// Each of aTES's paths is followed at once by Wolverine's on the same transport and database, so the pair shares the machine's load.
foreach (var (transport, database) in new[] { ("embedded", "sqlite"), ("embedded", "postgres"), ("rabbitmq", "sqlite"), ("rabbitmq", "postgres") })
{
    Add(await Pipeline.RunAsync(transport, database, events, rabbit, postgres));
    // RabbitMQ: without and with publisher confirms; local queues: one database for both, or one each.
    foreach (var variant in new[] { false, true })
    {
        try
        {
            Add(await WolverinePipeline.RunAsync(transport, database, events, rabbit, postgres, confirms: variant, twoDatabases: variant));
        }
        catch (Exception e)
        {
            var failure = $"Wolverine {transport} ({(transport == "rabbitmq" ? "confirms" : "two databases")}: {variant}) on {database}: {e.GetType().Name}: {e.Message}";
            failures.Add(failure);
            Console.WriteLine($"  FAILED {failure}");
        }
    }
}
var loadAfter = LoadAverage();

Console.WriteLine();
Console.WriteLine($"{"path",-42} {"events",8} {"seconds",8} {"events/s",10} {"of raw",8} {"producers s",12}");
foreach (var r in results)
    Console.WriteLine($"{r.Name,-42} {r.Events,8} {r.Seconds,8:F2} {r.PerSecond,10:F0} {(r.RatioToRaw is { } ratio ? $"{ratio:P0}" : ""),8} {(r.ProducerSeconds is { } p ? $"{p:F2}" : ""),12}");
Console.WriteLine($"load average before: {loadBefore}; after: {loadAfter}");
foreach (var failure in failures) Console.WriteLine($"failed: {failure}");

if (jsonPath is not null)
    await File.WriteAllTextAsync(jsonPath, JsonSerializer.Serialize(new { events, loadBefore, loadAfter, results, failures }, new JsonSerializerOptions { WriteIndented = true }));
return failures.Count == 0 ? 0 : 1;

void Add(Result result)
{
    // As in the messaging benchmark, only a path through the broker is held against the broker's own ceiling.
    if (result != ceiling && result.Name.Contains("rabbitmq", StringComparison.OrdinalIgnoreCase)) result.RatioToRaw = result.PerSecond / ceiling.PerSecond;
    results.Add(result);
    Console.WriteLine($"  {result.Name}: {result.PerSecond:F0} events/s{(result.ProducerSeconds is { } p ? $" (producers done after {p:F2} s)" : "")}");
}

static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

int ArgValue(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1]) : fallback;
}
