using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Ates.LocalServers;

/// <summary>
/// A private RabbitMQ node (tests, the benchmark, the distributed topology): its own temp folder (mnesia, logs, no config; of the plugins only the consistent-hash exchange, which partitioned consumers need), its own
/// HOME (hence its own Erlang cookie), a unique node name, its own epmd on a private port, and AMQP on a
/// free 127.0.0.1 port. Any number can run at once beside a system RabbitMQ, which is never touched.
/// </summary>
/// <remarks>
/// <para>Start-up is kept short by preloading, in parallel, the ~950 Erlang modules that RabbitMQ would
/// otherwise load one by one while scanning module attributes during boot (about 2.5 s instead of 5–6 s
/// on 2 cores); see <see cref="PreloadEval"/>.</para>
/// <para><see cref="StopAsync"/> shuts the node down gracefully with SIGTERM, which RabbitMQ handles exactly
/// like <c>rabbitmqctl stop</c> (orderly stop of the rabbit application, message stores flushed) without
/// booting a CLI Erlang VM; <see cref="CtlAsync"/> runs any other rabbitmqctl command against the node.</para>
/// </remarks>
public sealed class RabbitMqServer : IAsyncDisposable
{
    /// <summary>Default time allowed for the node to accept AMQP connections.</summary>
    public static readonly TimeSpan DefaultStartupTimeout = TimeSpan.FromSeconds(90);

    static readonly string[] StrippedEnvironmentPrefixes = ["RABBITMQ_", "ERL_", "ERLANG_"];

    readonly ServerBinaries.RabbitMqBinaries binaries;
    readonly TimeSpan startupTimeout;
    readonly Dictionary<string, string> environment;
    readonly int distPort;
    readonly int epmdPort;
    readonly int ctlDistPort;
    readonly SemaphoreSlim gate = new(1, 1);
    ChildProcess? epmd;
    ChildProcess? node;
    bool disposed;

    RabbitMqServer(ServerBinaries.RabbitMqBinaries binaries, string dataDir, TimeSpan startupTimeout)
    {
        this.binaries = binaries;
        this.startupTimeout = startupTimeout;
        DataDir = dataDir;
        Port = FreePort.Next();
        distPort = FreePort.Next();
        epmdPort = FreePort.Next();
        ctlDistPort = FreePort.Next();
        NodeName = $"ates-test-{Guid.NewGuid():N}"[..18] + "@localhost";
        LogFile = Path.Combine(dataDir, "log", NodeName + ".log");
        environment = BuildEnvironment();
    }

    /// <summary>AMQP port on 127.0.0.1 (stays the same across <see cref="StopAsync"/>/<see cref="StartAgainAsync"/>).</summary>
    public int Port { get; }

    /// <summary><c>amqp://guest:guest@127.0.0.1:PORT/</c> (guest may log in from loopback).</summary>
    public string AmqpUri => $"amqp://guest:guest@127.0.0.1:{Port}/";

    /// <summary>The node's private folder (HOME, mnesia/, log/); deleted by <see cref="DisposeAsync"/>.</summary>
    public string DataDir { get; }

    /// <summary>Erlang node name, e.g. <c>ates-test-1a2b3c4d@localhost</c>.</summary>
    public string NodeName { get; }

    /// <summary>The node's main log file.</summary>
    public string LogFile { get; }

    /// <summary>Pid of the node's beam.smp process while it runs.</summary>
    public int? ProcessId => node is { HasExited: false } n ? n.Pid : null;

    /// <summary>Pid of the node's private epmd.</summary>
    public int? EpmdProcessId => epmd is { HasExited: false } e ? e.Pid : null;

    public bool IsRunning => node is { HasExited: false };

    /// <summary>How long the last (re)start took, from spawning the node to the first accepted AMQP handshake.</summary>
    public TimeSpan LastStartupTime { get; private set; }

    /// <summary>Starts a private node and waits until it accepts AMQP connections.</summary>
    /// <exception cref="ServerNotInstalledException">RabbitMQ is not installed (the message says what to install).</exception>
    public static Task<RabbitMqServer> StartAsync(CancellationToken ct = default) => StartAsync(DefaultStartupTimeout, ct);

    /// <inheritdoc cref="StartAsync(CancellationToken)"/>
    public static async Task<RabbitMqServer> StartAsync(TimeSpan startupTimeout, CancellationToken ct = default)
    {
        var binaries = ServerBinaries.FindRabbitMq();
        var server = new RabbitMqServer(binaries, TempFolder.Create("ates-rabbitmq-"), startupTimeout);
        try
        {
            Directory.CreateDirectory(Path.Combine(server.DataDir, "mnesia"));
            Directory.CreateDirectory(Path.Combine(server.DataDir, "log"));
            Directory.CreateDirectory(Path.Combine(server.DataDir, "conf.d"));
            await File.WriteAllTextAsync(Path.Combine(server.DataDir, "enabled_plugins"), "[rabbitmq_consistent_hash_exchange].\n", ct).ConfigureAwait(false);
            await server.StartEpmdAsync(ct).ConfigureAwait(false);
            await server.StartNodeAsync(ct).ConfigureAwait(false);
            return server;
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Graceful shutdown (SIGTERM, handled like <c>rabbitmqctl stop</c>); SIGKILL if it takes over 30 s. Keeps the data.</summary>
    public async Task StopAsync()
    {
        using var _ = await gate.EnterAsync().ConfigureAwait(false);
        if (node is null) return;
        // Leftovers of the group (erl_child_setup and the like) are killed after it exits.
        await node.StopAsync(Native.SIGTERM, TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        node.Dispose();
        node = null;
    }

    /// <summary>Starts the node again after <see cref="StopAsync"/> or <see cref="KillAsync"/>: same name, port and data.</summary>
    public async Task StartAgainAsync(CancellationToken ct = default)
    {
        using var _ = await gate.EnterAsync(ct).ConfigureAwait(false);
        ObjectDisposedException.ThrowIf(disposed, this);
        if (node is { HasExited: false })
            throw new InvalidOperationException($"RabbitMQ node {NodeName} is still running; stop or kill it first.");
        node?.Dispose();
        node = null;
        if (epmd is null || epmd.HasExited)
        {
            epmd?.Dispose();
            await StartEpmdAsync(ct).ConfigureAwait(false);
        }
        await StartNodeAsync(ct).ConfigureAwait(false);
    }

    /// <summary>SIGKILLs the node (beam.smp and its process group) — a broker crash. Data stays for <see cref="StartAgainAsync"/>.</summary>
    public async Task KillAsync()
    {
        using var _ = await gate.EnterAsync().ConfigureAwait(false);
        if (node is null) return;
        await node.KillAndWaitAsync().ConfigureAwait(false);
        node.Dispose();
        node = null;
    }

    /// <summary>Runs <c>rabbitmqctl -n NODE args…</c> with the node's environment (cookie, epmd) and returns its output; throws on failure.</summary>
    public async Task<string> CtlAsync(params string[] args)
    {
        var (exitCode, output) = await ChildProcess.RunAsync(
            binaries.Ctl, ["-n", NodeName, .. args], CtlOptions(), TimeSpan.FromSeconds(60)).ConfigureAwait(false);
        if (exitCode != 0)
            throw new InvalidOperationException($"rabbitmqctl {string.Join(' ', args)} exited with {exitCode}:\n{output}");
        return output;
    }

    /// <summary>
    /// Forces the node's metadata store (Mnesia: queues, exchanges, bindings, users) onto disk. RabbitMQ
    /// 3.x answers declare-ok before Mnesia's log has necessarily reached the file, so a SIGKILL
    /// (<see cref="KillAsync"/>) a moment after a declaration can lose that queue (measured: about 1 in 13
    /// kills right after a declare; confirmed persistent messages in surviving queues were never lost).
    /// Call this before <see cref="KillAsync"/> when the test is about something else. Takes ~1 s (it boots a CLI VM).
    /// </summary>
    /// <summary>Loads RabbitMQ definitions (users, permissions, exchanges…) into the node with <c>rabbitmqctl import_definitions</c>.</summary>
    public async Task ImportDefinitionsAsync(string definitionsJson)
    {
        var file = Path.Combine(DataDir, $"definitions-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, definitionsJson).ConfigureAwait(false);
        try { await CtlAsync("import_definitions", file).ConfigureAwait(false); }
        finally { File.Delete(file); }
    }

    public Task SyncMetadataAsync() => CtlAsync("eval", "mnesia:sync_log().");

    /// <summary>Kills the node (its data is discarded anyway) and its epmd, and deletes <see cref="DataDir"/>.</summary>
    public async ValueTask DisposeAsync()
    {
        using var _ = await gate.EnterAsync().ConfigureAwait(false);
        if (disposed) return;
        disposed = true;
        foreach (var child in new[] { node, epmd })
        {
            if (child is null) continue;
            try { await child.KillAndWaitAsync().ConfigureAwait(false); }
            finally { child.Dispose(); }
        }
        node = epmd = null;
        TempFolder.Delete(DataDir);
    }

    public override string ToString() => $"RabbitMQ {NodeName} on {AmqpUri}";

    Dictionary<string, string> BuildEnvironment()
    {
        string P(params string[] parts) => Path.Combine([DataDir, .. parts]);
        return new Dictionary<string, string>
        {
            ["HOME"] = DataDir, // own ~/.erlang.cookie
            ["RABBITMQ_NODENAME"] = NodeName,
            ["RABBITMQ_NODE_IP_ADDRESS"] = "127.0.0.1",
            ["RABBITMQ_NODE_PORT"] = Port.ToString(CultureInfo.InvariantCulture),
            ["RABBITMQ_DIST_PORT"] = distPort.ToString(CultureInfo.InvariantCulture),
            ["ERL_EPMD_PORT"] = epmdPort.ToString(CultureInfo.InvariantCulture),
            ["RABBITMQ_CTL_DIST_PORT_MIN"] = ctlDistPort.ToString(CultureInfo.InvariantCulture),
            ["RABBITMQ_CTL_DIST_PORT_MAX"] = (ctlDistPort + 10).ToString(CultureInfo.InvariantCulture),
            // No config at all: listeners come from the variables above, and skipping the .conf
            // (cuttlefish) translation saves start-up time. These paths do not exist on purpose, so
            // nothing from /etc/rabbitmq leaks in.
            ["RABBITMQ_CONF_ENV_FILE"] = P("rabbitmq-env.conf"),
            ["RABBITMQ_CONFIG_FILE"] = P("rabbitmq"),
            ["RABBITMQ_CONFIG_FILES"] = P("conf.d"),
            ["RABBITMQ_ADVANCED_CONFIG_FILE"] = P("advanced.config"),
            ["RABBITMQ_ENABLED_PLUGINS_FILE"] = P("enabled_plugins"),
            ["RABBITMQ_MNESIA_BASE"] = P("mnesia"),
            ["RABBITMQ_LOG_BASE"] = P("log"),
            ["ERL_CRASH_DUMP"] = P("erl_crash.dump"),
        };
    }

    ChildProcessOptions CtlOptions() => new()
    {
        WorkingDirectory = DataDir,
        Environment = environment,
        RemoveEnvironmentPrefixes = StrippedEnvironmentPrefixes,
    };

    async Task StartEpmdAsync(CancellationToken ct)
    {
        // Our own epmd in the foreground (not -daemon), so it is our child and dies with us; the node
        // must not start one itself (it would be a detached daemon), hence we wait until it listens.
        epmd = await ChildProcess.StartAsync(
            "epmd", binaries.Epmd, ["-port", epmdPort.ToString(CultureInfo.InvariantCulture), "-address", "127.0.0.1"],
            CtlOptions()).ConfigureAwait(false);
        var deadline = Stopwatch.StartNew();
        while (!await CanConnectAsync(epmdPort, ct).ConfigureAwait(false))
        {
            if (epmd.HasExited)
                throw new InvalidOperationException($"epmd on port {epmdPort} exited with code {epmd.ExitCode}:\n{epmd.Tail(50)}");
            if (deadline.Elapsed > TimeSpan.FromSeconds(10))
                throw new TimeoutException($"epmd did not listen on 127.0.0.1:{epmdPort} within 10 s:\n{epmd.Tail(50)}");
            await Task.Delay(10, ct).ConfigureAwait(false);
        }
    }

    async Task StartNodeAsync(CancellationToken ct)
    {
        var sw = Stopwatch.StartNew();
        var env = new Dictionary<string, string>(environment)
        {
            // Prepended to the erl command line, so it runs before "-s rabbit boot".
            ["ERL_AFLAGS"] = $"-eval '{PreloadEval}'",
            // Without RABBITMQ_ALLOW_INPUT the script stays around as a signal-forwarding parent and runs
            // beam in the background, out of reach of our parent-death signal; with it, the script execs
            // into beam.smp (our direct child). The flags the script would then leave out are added
            // back: no shell on stdin, ignore SIGINT. epmd is ours: never let the node start a daemon.
            ["RABBITMQ_ALLOW_INPUT"] = "true",
            ["RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS"] = "-noinput +B i -start_epmd false",
        };
        node = await ChildProcess.StartAsync(
            "rabbitmq-server " + NodeName, binaries.Server, [],
            CtlOptions() with { Environment = env, TailLines = 200 }).ConfigureAwait(false);
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            if (await AcceptsAmqpAsync(ct).ConfigureAwait(false)) break;
            if (node.HasExited)
                throw new InvalidOperationException(
                    $"RabbitMQ node {NodeName} exited with code {node.ExitCode} during start-up.\n{Diagnostics()}");
            if (sw.Elapsed > startupTimeout)
            {
                await node.KillAndWaitAsync().ConfigureAwait(false);
                throw new TimeoutException(
                    $"RabbitMQ node {NodeName} did not accept AMQP connections on 127.0.0.1:{Port} within {startupTimeout.TotalSeconds:0} s.\n{Diagnostics()}");
            }
            await Task.Delay(25, ct).ConfigureAwait(false);
        }
        LastStartupTime = sw.Elapsed;
    }

    /// <summary>
    /// Erlang expression run before RabbitMQ boots, only in the node itself (which gets its name later,
    /// from RabbitMQ's prelaunch), not in the helper VMs it spawns with -sname (they inherit ERL_AFLAGS): loads the modules of the applications RabbitMQ 3.x loads, in parallel. Harmless if an
    /// application does not exist; rabbit_feature_flags is skipped because its on_load needs a booted node.
    /// </summary>
    internal const string PreloadEval =
        "case {init:get_argument(sname), init:get_argument(name)} of {error, error} -> catch code:ensure_modules_loaded(" +
        "[list_to_atom(filename:basename(F, \".beam\")) || A <- [kernel, stdlib, sasl, compiler, syntax_tools, tools, " +
        "crypto, asn1, public_key, ssl, inets, mnesia, os_mon, xmerl, rabbit, rabbit_common, rabbitmq_prelaunch, ra, " +
        "ranch, osiris, aten, gen_batch_server, seshat, sysmon_handler, stdout_formatter, syslog, recon, observer_cli, " +
        "jsx, credentials_obfuscation, systemd, cuttlefish, amqp10_common, enough], D <- [code:lib_dir(A)], is_list(D), " +
        "F <- filelib:wildcard(filename:join(D, \"ebin/*.beam\"))] -- [rabbit_feature_flags]); _ -> ok end";

    /// <summary>True once the broker answers an AMQP 0-9-1 protocol header with a method frame (Connection.Start).</summary>
    async Task<bool> AcceptsAmqpAsync(CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(TimeSpan.FromSeconds(2));
        try
        {
            using var client = new TcpClient(AddressFamily.InterNetwork);
            await client.ConnectAsync(IPAddress.Loopback, Port, cts.Token).ConfigureAwait(false);
            var stream = client.GetStream();
            await stream.WriteAsync("AMQP\0\0\x09\x01"u8.ToArray(), cts.Token).ConfigureAwait(false);
            var buffer = new byte[1];
            var read = await stream.ReadAsync(buffer, cts.Token).ConfigureAwait(false);
            return read == 1 && buffer[0] == 1;
        }
        catch (Exception e) when (e is SocketException or IOException || (e is OperationCanceledException && !ct.IsCancellationRequested))
        {
            return false;
        }
    }

    static async Task<bool> CanConnectAsync(int port, CancellationToken ct)
    {
        try
        {
            using var client = new TcpClient(AddressFamily.InterNetwork);
            await client.ConnectAsync(IPAddress.Loopback, port, ct).ConfigureAwait(false);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>The last <paramref name="lines"/> lines of the node's log file, for failure messages.</summary>
    public string LogTail(int lines = 60)
    {
        try
        {
            if (!File.Exists(LogFile)) return "(no log file yet)";
            using var stream = new FileStream(LogFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            var tail = new Queue<string>();
            while (reader.ReadLine() is { } line)
            {
                tail.Enqueue(line);
                if (tail.Count > lines) tail.Dequeue();
            }
            return string.Join('\n', tail);
        }
        catch (IOException e)
        {
            return $"(cannot read {LogFile}: {e.Message})";
        }
    }

    string Diagnostics() =>
        $"--- tail of {LogFile} ---\n{LogTail()}\n--- tail of the node's stdout/stderr ---\n{node?.Tail(60)}";
}
