using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Ates.LocalServers;
using Ates.Testing;

namespace Ates.EndToEnd.Tests;

/// <summary>
/// The distributed topology (tools/Ates.Topology, what scripts/distributed.sh runs) stopped by a signal, as an operator
/// or a service manager stops it: every process it started ends and no port stays held.
/// </summary>
public sealed partial class TopologyStopTests
{
    [GeneratedRegex(@"Now listening on: http://127\.0\.0\.1:(\d+)")]
    private static partial Regex ServicePort();

    [GeneratedRegex(@"PostgreSQL on 127\.0\.0\.1:(\d+), RabbitMQ on amqp://[^@]+@127\.0\.0\.1:(\d+)/")]
    private static partial Regex ServerPorts();

    /// <summary>Every process below <paramref name="root"/>, from /proc.</summary>
    static List<int> Descendants(int root)
    {
        var parentOf = Directory.EnumerateDirectories("/proc")
            .Select(dir => int.TryParse(Path.GetFileName(dir), out var pid) ? (Pid: pid, Parent: Native.ParentOf(pid)) : (Pid: 0, Parent: null))
            .Where(p => p.Parent is not null).ToList();
        var found = new List<int>();
        var frontier = new Queue<int>([root]);
        while (frontier.TryDequeue(out var parent))
            foreach (var (child, _) in parentOf.Where(p => p.Parent == parent))
            {
                found.Add(child);
                frontier.Enqueue(child);
            }
        return found;
    }

    static bool Free(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException) { return false; }
    }

    [Theory]
    [InlineData(Native.SIGTERM)]
    [InlineData(Native.SIGINT)]
    public async Task A_signal_stops_every_process_the_topology_started_and_frees_every_port(int signal)
    {
        var gatewayPort = FreePort.Next();
        // The tool as built in its own folder (the copy beside the tests resolves the tests' dependencies).
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        var tool = Path.Combine(Ates.Topology.Topology.RepositoryRoot(), "tools", "Ates.Topology", "bin", configuration, "net10.0", "Ates.Topology.dll");
        await using var topology = HostProcess.Start(tool, "--url", $"http://127.0.0.1:{gatewayPort}");
        var ports = new HashSet<int> { gatewayPort };
        var servers = ServerPorts().Match(await topology.WaitForAsync("PostgreSQL on ", TimeSpan.FromMinutes(2)));
        ports.UnionWith([int.Parse(servers.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(servers.Groups[2].Value, CultureInfo.InvariantCulture)]);
        // Auth, Tasks, two Accounting instances and Analytics each say where they listen; then the topology says it runs.
        while (true)
        {
            var line = await topology.WaitForAsync("", TimeSpan.FromMinutes(3));
            if (ServicePort().Match(line) is { Success: true } listening) ports.Add(int.Parse(listening.Groups[1].Value, CultureInfo.InvariantCulture));
            if (line.Contains("is running at", StringComparison.Ordinal)) break;
        }
        Assert.Equal(1 + 2 + 5, ports.Count); // the gateway, PostgreSQL and RabbitMQ, five service processes
        var processes = Descendants(topology.ProcessId);
        Assert.All(ports, port => Assert.False(Free(port), $"port {port} should be held while the topology runs"));

        try
        {
            Native.Kill(topology.ProcessId, signal);
            Assert.True(await topology.WaitForExitAsync(TimeSpan.FromMinutes(2)), "the topology should exit after the signal");
            await Eventually.UntilAsync(() => Task.FromResult(!processes.Any(Native.IsAlive)), TimeSpan.FromSeconds(30),
                "every process the topology started should have ended", TestContext.Current.CancellationToken);
            Assert.All(ports, port => Assert.True(Free(port), $"port {port} should be free after the stop"));
        }
        finally
        {
            // What a failed stop left behind must not outlive the test.
            foreach (var pid in processes.Where(Native.IsAlive)) Native.Kill(pid, Native.SIGKILL);
        }
    }
}
