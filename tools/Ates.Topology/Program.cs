// The distributed aTES on one machine: PostgreSQL and RabbitMQ started privately (own folder, free loopback port),
// Auth, Tasks, two Accounting instances and Analytics as their own processes on them, and the gateway in front.
// Build first (scripts/distributed.sh does). Ctrl+C stops everything, gateway first.
using Ates.Topology;

var root = Topology.RepositoryRoot();
var url = args.SkipWhile(a => a != "--url").Skip(1).FirstOrDefault() ?? "http://localhost:5000";
await using var topology = await Topology.StartAsync(root, url, Console.Out, CancellationToken.None);
var stop = new TaskCompletionSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.TrySetResult(); };
AppDomain.CurrentDomain.ProcessExit += (_, _) => stop.TrySetResult();
await Task.WhenAny(stop.Task, topology.AnyExitedAsync());
Console.WriteLine("Stopping…");
