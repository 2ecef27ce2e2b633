using System.Diagnostics;
using System.Globalization;
using Ates.LocalServers;

namespace Ates.Bench;

/// <summary>A running aTES the benchmark drives through its gateway, and what it reads of it afterwards.</summary>
public interface IAtes : IAsyncDisposable
{
    /// <summary>The gateway, e.g. http://127.0.0.1:5123.</summary>
    string Url { get; }

    /// <summary>The database setting of a service ("auth", "tasks", "accounting", "analytics"), as the service got it.</summary>
    string Database(string service);

    /// <summary>Every process of the system whose peak memory is reported.</summary>
    IEnumerable<(string Name, int ProcessId)> Processes { get; }

    /// <summary>The broker the system uses; null when it uses none (the embedded bus).</summary>
    string? AmqpUri { get; }
}

/// <summary>The one-process host (src/Ates.Host) as its own process, on SQLite files in a temporary folder.</summary>
public sealed class EmbeddedAtes : IAtes
{
    readonly Process _host;
    readonly string _data;

    EmbeddedAtes(Process host, string data, string url) => (_host, _data, Url) = (host, data, url);

    public string Url { get; }

    public string? AmqpUri => null;

    public IEnumerable<(string Name, int ProcessId)> Processes => [("host (all services, gateway)", _host.Id)];

    public string Database(string service) => $"sqlite:{Path.Combine(_data, $"{service}.db")}";

    public static async Task<EmbeddedAtes> StartAsync(string root, string configuration, string password, TextWriter log, CancellationToken ct)
    {
        var dll = Path.Combine(root, "src", "Ates.Host", "bin", configuration, "net10.0", "Ates.Host.dll");
        if (!File.Exists(dll)) throw new InvalidOperationException($"{dll} is missing: build first.");
        var url = $"http://127.0.0.1:{FreePort.Next()}";
        var data = Directory.CreateTempSubdirectory("ates-bench-").FullName;
        var psi = new ProcessStartInfo("dotnet") { WorkingDirectory = Path.GetDirectoryName(dll)!, RedirectStandardOutput = true, RedirectStandardError = true };
        // The published host runs in the Production environment, which wants Auth's keys named: in-memory ones do for a run.
        // The benchmark closes its days itself: a run across midnight must not get a scheduled close of its own.
        foreach (var a in new[] { dll, "--Host:Url", url, "--Host:Data", data, "--Auth:Demo:Password", password, "--Auth:Keys", "ephemeral",
                     "--Tasks:DayClose:Schedule=" })
            psi.ArgumentList.Add(a);
        var host = Process.Start(psi)!;
        host.OutputDataReceived += (_, e) => { if (e.Data is not null) log.WriteLine($"[host] {e.Data}"); };
        host.ErrorDataReceived += (_, e) => { if (e.Data is not null) log.WriteLine($"[host] {e.Data}"); };
        host.BeginOutputReadLine();
        host.BeginErrorReadLine();
        var ates = new EmbeddedAtes(host, data, url);
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
            await Eventually.UntilAsync(async () =>
            {
                if (host.HasExited) throw new InvalidOperationException("The host exited at start; see its output in the log.");
                try { return (await http.GetAsync($"{url}/health", ct)).IsSuccessStatusCode; }
                catch (HttpRequestException) { return false; }
                catch (TaskCanceledException) when (!ct.IsCancellationRequested) { return false; }
            }, TimeSpan.FromSeconds(90), $"the host should answer {url}/health", ct);
            return ates;
        }
        catch
        {
            await ates.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_host.HasExited)
        {
            // SIGTERM: the host stops its services cleanly; SIGKILL only if it does not within 15 s.
            using (var term = Process.Start("kill", ["-TERM", _host.Id.ToString(CultureInfo.InvariantCulture)])) await term.WaitForExitAsync();
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            try { await _host.WaitForExitAsync(grace.Token); }
            catch (OperationCanceledException) { _host.Kill(entireProcessTree: true); await _host.WaitForExitAsync(); }
        }
        _host.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_data, recursive: true);
    }
}

/// <summary>The distributed topology (tools/Ates.Topology): PostgreSQL, RabbitMQ, Auth, Tasks, N Accountings, Analytics, gateway.</summary>
public sealed class DistributedAtes(Topology.Topology topology, string url) : IAtes
{
    public string Url => url;

    public string? AmqpUri => topology.AmqpUri;

    /// <summary>The topology itself, for the faults a run injects.</summary>
    public Topology.Topology Deployment => topology;

    public IEnumerable<(string Name, int ProcessId)> Processes
    {
        get
        {
            foreach (var process in topology.Processes) yield return process;
            var (broker, database) = topology.ServerProcessIds;
            if (broker is { } b) yield return ("rabbitmq (beam)", b);
            if (database is { } d) yield return ("postgresql (postmaster only)", d);
        }
    }

    public string Database(string service) => topology.Database($"Ates.{char.ToUpperInvariant(service[0])}{service[1..]}");

    /// <param name="accountingInstances">Accounting's processes; the gateway routes to the first.</param>
    /// <param name="databaseDelay">When set, Accounting reaches PostgreSQL through a proxy holding every chunk back this long each way.</param>
    public static async Task<DistributedAtes> StartAsync(string root, string configuration, string password, TextWriter log, CancellationToken ct,
        int accountingInstances = Topology.Topology.DefaultAccountingInstances, TimeSpan? databaseDelay = null)
    {
        var url = $"http://127.0.0.1:{FreePort.Next()}";
        return new DistributedAtes(await Topology.Topology.StartAsync(root, url, log, ct, password, configuration, accountingInstances, databaseDelay), url);
    }

    public ValueTask DisposeAsync() => topology.DisposeAsync();
}
