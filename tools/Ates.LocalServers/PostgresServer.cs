using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace Ates.LocalServers;

/// <summary>
/// A private PostgreSQL cluster (tests, the benchmark, the distributed topology): <c>initdb</c> into its own temp folder, trust authentication on
/// 127.0.0.1 only, a free port, its unix socket inside the folder, <c>fsync=on</c> (tests exercise crash
/// safety), <c>max_connections=200</c>. Runs as the <c>postgres</c> user when the test process is root.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    /// <summary>Default time allowed for the server to accept connections.</summary>
    public static readonly TimeSpan DefaultStartupTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Superuser created by initdb.</summary>
    public const string Username = "postgres";

    const string ServiceUser = "postgres";

    readonly ServerBinaries.PostgresBinaries binaries;
    readonly TimeSpan startupTimeout;
    readonly SemaphoreSlim gate = new(1, 1);
    ChildProcess? postmaster;
    bool disposed;

    PostgresServer(ServerBinaries.PostgresBinaries binaries, string rootDir, TimeSpan startupTimeout)
    {
        this.binaries = binaries;
        this.startupTimeout = startupTimeout;
        RootDir = rootDir;
        DataDir = Path.Combine(rootDir, "data");
        Port = FreePort.Next();
    }

    /// <summary>Port on 127.0.0.1 (stays the same across <see cref="StopAsync"/>/<see cref="StartAgainAsync"/>).</summary>
    public int Port { get; }

    public string Host => "127.0.0.1";

    /// <summary>The cluster's data directory (PGDATA).</summary>
    public string DataDir { get; }

    /// <summary>The server's private folder (PGDATA under data/, the unix socket); deleted by <see cref="DisposeAsync"/>.</summary>
    public string RootDir { get; }

    /// <summary>Pid of the postmaster while it runs.</summary>
    public int? ProcessId => postmaster is { HasExited: false } p ? p.Pid : null;

    public bool IsRunning => postmaster is { HasExited: false };

    /// <summary>How long the last (re)start of the postmaster took until it accepted a connection.</summary>
    public TimeSpan LastStartupTime { get; private set; }

    /// <summary>How long initdb took.</summary>
    public TimeSpan InitDbTime { get; private set; }

    /// <summary>initdb + start; waits until the server accepts connections.</summary>
    /// <exception cref="ServerNotInstalledException">PostgreSQL is not installed (the message says what to install).</exception>
    public static Task<PostgresServer> StartAsync(CancellationToken ct = default) => StartAsync(DefaultStartupTimeout, ct);

    /// <inheritdoc cref="StartAsync(CancellationToken)"/>
    public static async Task<PostgresServer> StartAsync(TimeSpan startupTimeout, CancellationToken ct = default)
    {
        var binaries = ServerBinaries.FindPostgres();
        var server = new PostgresServer(binaries, TempFolder.Create("ates-postgres-"), startupTimeout);
        try
        {
            await server.InitDbAsync(ct).ConfigureAwait(false);
            await server.StartPostmasterAsync(ct).ConfigureAwait(false);
            return server;
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Npgsql connection string for <paramref name="database"/> as the superuser.</summary>
    public string ConnectionString(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = Host,
        Port = Port,
        Username = Username,
        Database = database,
        IncludeErrorDetail = true,
    }.ConnectionString;

    /// <summary>CREATE DATABASE <paramref name="name"/> (quoted identifier).</summary>
    public async Task CreateDatabaseAsync(string name, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        await using var connection = new NpgsqlConnection(AdminConnectionString());
        await connection.OpenAsync(ct).ConfigureAwait(false);
        await using var command = new NpgsqlCommand($"CREATE DATABASE {QuoteIdentifier(name)}", connection);
        await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Creates a database named <c>{prefix}_{random}</c> and returns its connection string.</summary>
    public async Task<string> CreateUniqueDatabaseAsync(string prefix, CancellationToken ct = default)
    {
        var clean = new string(prefix.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_').ToArray());
        if (clean.Length > 40) clean = clean[..40];
        var name = $"{clean}_{Guid.NewGuid():N}"[..Math.Min(clean.Length + 1 + 16, 63)];
        await CreateDatabaseAsync(name, ct).ConfigureAwait(false);
        return ConnectionString(name);
    }

    /// <summary>Fast shutdown (SIGINT: rolls back open transactions, checkpoints). Keeps the data.</summary>
    public async Task StopAsync()
    {
        using var _ = await gate.EnterAsync().ConfigureAwait(false);
        if (postmaster is null) return;
        await postmaster.StopAsync(Native.SIGINT, TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        postmaster.Dispose();
        postmaster = null;
    }

    /// <summary>SIGKILLs the postmaster and all its backends — a crash; the next start runs WAL recovery.</summary>
    public async Task KillAsync()
    {
        using var _ = await gate.EnterAsync().ConfigureAwait(false);
        if (postmaster is null) return;
        await postmaster.KillAndWaitAsync().ConfigureAwait(false);
        postmaster.Dispose();
        postmaster = null;
    }

    /// <summary>Starts the server again after <see cref="StopAsync"/> or <see cref="KillAsync"/>: same port, same data.</summary>
    public async Task StartAgainAsync(CancellationToken ct = default)
    {
        using var _ = await gate.EnterAsync(ct).ConfigureAwait(false);
        ObjectDisposedException.ThrowIf(disposed, this);
        if (postmaster is { HasExited: false })
            throw new InvalidOperationException("PostgreSQL is still running; stop or kill it first.");
        postmaster?.Dispose();
        postmaster = null;
        await StartPostmasterAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Immediate shutdown (SIGQUIT; SIGKILL of the whole process group after 5 s) and removal of the folder.</summary>
    public async ValueTask DisposeAsync()
    {
        using var _ = await gate.EnterAsync().ConfigureAwait(false);
        if (disposed) return;
        disposed = true;
        if (postmaster is not null)
        {
            await postmaster.StopAsync(Native.SIGQUIT, TimeSpan.FromSeconds(5)).ConfigureAwait(false);
            postmaster.Dispose();
            postmaster = null;
        }
        TempFolder.Delete(RootDir);
    }

    public override string ToString() => $"PostgreSQL on {Host}:{Port} ({DataDir})";

    string AdminConnectionString() => new NpgsqlConnectionStringBuilder(ConnectionString("postgres"))
    {
        Pooling = false,
        Timeout = 5,
    }.ConnectionString;

    static string QuoteIdentifier(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    ChildProcessOptions Options(int tailLines = 300) => new()
    {
        WorkingDirectory = RootDir,
        RunAsUser = ServiceUser,
        RemoveEnvironmentPrefixes = ["PG"],
        Environment = new Dictionary<string, string> { ["LC_ALL"] = "C" },
        TailLines = tailLines,
    };

    async Task InitDbAsync(CancellationToken ct)
    {
        if (Native.IsRoot)
        {
            // postgres refuses to run as root: the folder must belong to the unprivileged user.
            var user = Native.LookupUser(ServiceUser) ?? throw new ServerNotInstalledException(
                $"User '{ServiceUser}' not found (the postgresql package creates it). Install it: {ServerBinaries.PostgresInstall}");
            Native.Chown(RootDir, user.Uid, user.Gid);
            Native.Chown(Path.Combine(RootDir, ".owner"), user.Uid, user.Gid);
        }
        var sw = Stopwatch.StartNew();
        // --no-sync only skips initdb's own final flush of the fresh cluster; the server runs with fsync=on.
        var (exitCode, output) = await ChildProcess.RunAsync(
            binaries.Initdb,
            ["-D", DataDir, "-U", Username, "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync", "--no-instructions"],
            Options(), TimeSpan.FromSeconds(120), ct).ConfigureAwait(false);
        if (exitCode != 0)
            throw new InvalidOperationException($"initdb exited with {exitCode}:\n{output}");
        InitDbTime = sw.Elapsed;

        // Trust on 127.0.0.1 and the private unix socket only (initdb's default also trusts ::1 and replication).
        // Overwriting keeps the file's owner and mode.
        await File.WriteAllTextAsync(
            Path.Combine(DataDir, "pg_hba.conf"),
            "# Ates.LocalServers private cluster\nlocal all all trust\nhost all all 127.0.0.1/32 trust\n",
            ct).ConfigureAwait(false);
    }

    async Task StartPostmasterAsync(CancellationToken ct)
    {
        var sw = Stopwatch.StartNew();
        string[] settings =
        [
            $"port={Port.ToString(CultureInfo.InvariantCulture)}",
            "listen_addresses=127.0.0.1",
            $"unix_socket_directories={RootDir}",
            "max_connections=200",
            "fsync=on",
            "synchronous_commit=on",
            "full_page_writes=on",
            "logging_collector=off",
        ];
        postmaster = await ChildProcess.StartAsync(
            $"postgres :{Port}", binaries.Postgres, ["-D", DataDir, .. settings.SelectMany(s => new[] { "-c", s })],
            Options()).ConfigureAwait(false);

        var probe = new NpgsqlConnectionStringBuilder(AdminConnectionString()) { Timeout = 2 }.ConnectionString;
        Exception? last = null;
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            try
            {
                await using var connection = new NpgsqlConnection(probe);
                await connection.OpenAsync(ct).ConfigureAwait(false);
                break;
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException or IOException)
            {
                last = e;
            }
            if (postmaster.HasExited)
                throw new InvalidOperationException(
                    $"postgres exited with code {postmaster.ExitCode} during start-up:\n{postmaster.Tail(60)}");
            if (sw.Elapsed > startupTimeout)
            {
                await postmaster.KillAndWaitAsync().ConfigureAwait(false);
                throw new TimeoutException(
                    $"PostgreSQL did not accept connections on {Host}:{Port} within {startupTimeout.TotalSeconds:0} s " +
                    $"(last error: {last?.Message}).\n--- postgres output ---\n{postmaster.Tail(60)}", last);
            }
            await Task.Delay(20, ct).ConfigureAwait(false);
        }
        LastStartupTime = sw.Elapsed;
    }
}
