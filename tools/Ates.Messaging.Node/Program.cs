// Runs a producer ("tasks") and/or a consumer ("accounting") until killed; the crash tests SIGKILL it.
//   Ates.Messaging.Node --transport embedded|rabbitmq:<uri> [--namespace ns]
//       [--producer-db sqlite:<file>|postgres:<conn>] [--consumer-db …]
//       [--produce N] [--prefix title] [--hold-on title] [--no-relay]
// Prints "READY" once started, "PRODUCED n" after each committed transaction and "HOLDING <id>"
// when the consumer stops before committing the --hold-on task, so a test kills it at a known point.
using Ates.Messaging.Node;
using Ates.Messaging.Transports.Embedded;
using Microsoft.Extensions.Hosting;

var arguments = args.Select((a, i) => (a, i)).Where(x => x.a.StartsWith("--", StringComparison.Ordinal))
    .ToDictionary(x => x.a[2..], x => x.i + 1 < args.Length && !args[x.i + 1].StartsWith("--", StringComparison.Ordinal) ? args[x.i + 1] : "");
var transport = arguments["transport"];
var ns = arguments.GetValueOrDefault("namespace") ?? "ates";
var bus = new EmbeddedBus();

var hosts = new List<IHost>();
if (arguments.TryGetValue("consumer-db", out var consumerDb))
    hosts.Add(TestNode.Build(new NodeSettings("accounting", consumerDb, transport) { RabbitNamespace = ns, HoldOn = arguments.GetValueOrDefault("hold-on") }, bus));
IHost? producer = null;
if (arguments.TryGetValue("producer-db", out var producerDb))
    hosts.Add(producer = TestNode.Build(new NodeSettings("tasks", producerDb, transport, Consume: false) { RabbitNamespace = ns, Relay = !arguments.ContainsKey("no-relay") }, bus));

foreach (var host in hosts) await host.StartAsync();
Console.WriteLine("READY");

if (producer is not null && arguments.TryGetValue("produce", out var count))
{
    var prefix = arguments.GetValueOrDefault("prefix") ?? "task";
    var done = 0;
    foreach (var chunk in Enumerable.Range(1, int.Parse(count)).Select(i => $"{prefix} {i}").Chunk(5))
    {
        await TestNode.ProduceAsync(producer.Services, chunk, chunk.Length, CancellationToken.None);
        done += chunk.Length;
        Console.WriteLine($"PRODUCED {done}");
    }
}

await Task.Delay(Timeout.Infinite);
