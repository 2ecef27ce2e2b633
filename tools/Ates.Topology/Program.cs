// The distributed aTES on one machine: PostgreSQL and RabbitMQ started privately (own folder, free loopback port),
// Auth, Tasks, two Accounting instances and Analytics as their own processes on them, and the gateway in front.
// Build first (scripts/distributed.sh does). Ctrl+C stops everything, gateway first.
using System.Runtime.InteropServices;
using Ates.Topology;

var root = Topology.RepositoryRoot();
var url = args.SkipWhile(a => a != "--url").Skip(1).FirstOrDefault() ?? "http://localhost:5000";

// SIGTERM (kill, a service manager), SIGINT (Ctrl+C, or kill -INT outside a terminal) and SIGQUIT all end in the same
// clean stop of every process this started, during the start too; the runtime's default would exit without it.
using var stopping = new CancellationTokenSource();
var signals = new[] { PosixSignal.SIGTERM, PosixSignal.SIGINT, PosixSignal.SIGQUIT }
    .Select(signal => PosixSignalRegistration.Create(signal, context =>
    {
        context.Cancel = true;
        stopping.Cancel();
    }))
    .ToList();
try
{
    await using var topology = await Topology.StartAsync(root, url, Console.Out, stopping.Token);
    var stopped = new TaskCompletionSource();
    await using var onStop = stopping.Token.Register(() => stopped.TrySetResult());
    await Task.WhenAny(stopped.Task, topology.AnyExitedAsync());
    Console.WriteLine("Stopping…");
}
catch (OperationCanceledException) when (stopping.IsCancellationRequested)
{
    Console.WriteLine("Stopped while starting.");
}
finally
{
    foreach (var signal in signals) signal.Dispose();
}
