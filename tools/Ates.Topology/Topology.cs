using System.Security.Cryptography;
using Ates.Contracts;
using Ates.Messaging.Transports.RabbitMq;
using System.Diagnostics;
using Ates.LocalServers;
using Npgsql;

namespace Ates.Topology;

/// <summary>
/// Every aTES service as its own process, configured only through environment variables (the same ones the README
/// lists for a real deployment): PostgreSQL per service, RabbitMQ between them, Auth as the issuer behind the gateway.
/// </summary>
public sealed class Topology : IAsyncDisposable
{
    readonly List<(string Name, Process Process)> _processes = [];
    // What each service was started with, so that a fault test can start it again as it was.
    readonly Dictionary<string, (string Project, string Health, Dictionary<string, string> Environment)> _started = [];
    string _root = "";
    TextWriter _log = TextWriter.Null;
    PostgresServer? _postgres;
    string? _demoPassword;
    RabbitMqServer? _rabbit;
    DelayProxy? _accountingDatabase;
    string _configuration = "Debug";
    int _accountingInstances = DefaultAccountingInstances;
    TimeSpan? _accountingDatabaseDelay;

    /// <summary>Accounting instances unless told otherwise: two, so that sharing the work is always exercised.</summary>
    public const int DefaultAccountingInstances = 2;

    /// <summary>The services' and the gateway's processes, by name (e.g. "accounting-2"), for what a benchmark reads of them.</summary>
    public IEnumerable<(string Name, int ProcessId)> Processes => _processes.Select(p => (p.Name, p.Process.Id));

    /// <summary>The broker's and the database's own processes (RabbitMQ's Erlang node, PostgreSQL's postmaster) while they run.</summary>
    public (int? Broker, int? Database) ServerProcessIds => (_rabbit?.ProcessId, _postgres?.ProcessId);

    /// <summary>A service's database setting as the service gets it, e.g. <c>Database("Ates.Accounting")</c>.</summary>
    public string Database(string project) => $"postgres:{_postgres!.ConnectionString(DatabaseOf(project))}";

    /// <summary>Each service's broker address with its own login (<see cref="BrokerPermissions"/>).</summary>
    public IReadOnlyDictionary<string, string> BrokerUris { get; private set; } = new Dictionary<string, string>();

    /// <summary>Each service instance's own address (not the gateway's): where a Prometheus scrapes its <c>/metrics</c>.</summary>
    public IReadOnlyDictionary<string, string> ServiceAddresses => _addresses;

    readonly Dictionary<string, string> _addresses = [];

    /// <summary>The broker's address as its administrator (guest, from loopback only).</summary>
    public string AmqpUri => _rabbit?.AmqpUri ?? throw new InvalidOperationException("Not started.");

    /// <summary>Where Accounting writes the payout emails (no SMTP server configured).</summary>
    public string MailFolder => Path.Combine(_postgres?.RootDir ?? throw new InvalidOperationException("Not started."), "mail");

    /// <param name="demoPassword">One password for every demo popug (tests); null: random ones, printed by Auth.</param>
    /// <param name="configuration">Which build of the services to run (the benchmark runs Release).</param>
    /// <param name="accountingInstances">Accounting's processes: "accounting" (the one the gateway routes to), "accounting-2", ….</param>
    /// <param name="accountingDatabaseDelay">
    /// When set, Accounting's instances reach PostgreSQL through a <see cref="DelayProxy"/> that holds every chunk back this
    /// long each way, as if the database were a network hop away; the other services and <see cref="Database"/> connect directly.
    /// </param>
    public static async Task<Topology> StartAsync(string root, string url, TextWriter log, CancellationToken ct, string? demoPassword = null,
        string configuration = "Debug", int accountingInstances = DefaultAccountingInstances, TimeSpan? accountingDatabaseDelay = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(accountingInstances, 1);
        if (accountingDatabaseDelay is { } delay) ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero, nameof(accountingDatabaseDelay));
        var topology = new Topology
        {
            _demoPassword = demoPassword, _configuration = configuration, _accountingInstances = accountingInstances,
            _accountingDatabaseDelay = accountingDatabaseDelay,
        };
        try
        {
            await topology.StartInternalAsync(root, url.TrimEnd('/'), log, ct);
            return topology;
        }
        catch
        {
            await topology.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// A broker login per service, allowed its own exchange and queues only (<see cref="BrokerPermissions"/>), and every
    /// producer's exchange declared; returns each service's broker address with its login.
    /// </summary>
    async Task<Dictionary<string, string>> CreateBrokerLoginsAsync(IEnumerable<string> services)
    {
        var passwords = services.Distinct().ToDictionary(s => s, _ => Convert.ToHexString(RandomNumberGenerator.GetBytes(16)));
        var producers = EventRegistry.Default.All.Select(d => d.Producer).Distinct();
        await _rabbit!.ImportDefinitionsAsync(BrokerPermissions.Definitions(new RabbitMqOptions().Namespace, passwords, producers));
        return passwords.ToDictionary(p => p.Key, p => $"amqp://{p.Key}:{p.Value}@127.0.0.1:{_rabbit.Port}/");
    }

    async Task StartInternalAsync(string root, string url, TextWriter log, CancellationToken ct)
    {
        _postgres = await PostgresServer.StartAsync(ct);
        _rabbit = await RabbitMqServer.StartAsync(ct);
        log.WriteLine($"PostgreSQL on 127.0.0.1:{_postgres.Port}, RabbitMQ on {_rabbit.AmqpUri}");
        var accountingDatabase = _postgres.ConnectionString(DatabaseOf("Ates.Accounting"));
        if (_accountingDatabaseDelay is { } delay)
        {
            _accountingDatabase = await DelayProxy.StartAsync(_postgres.Host, _postgres.Port, delay, ct);
            accountingDatabase = new NpgsqlConnectionStringBuilder(accountingDatabase) { Host = "127.0.0.1", Port = _accountingDatabase.Port }.ConnectionString;
            log.WriteLine($"Accounting reaches PostgreSQL through 127.0.0.1:{_accountingDatabase.Port}, {delay.TotalMilliseconds} ms each way");
        }

        // Producers before their consumers: the broker topology is declared first, so the order does not matter, and
        // Auth's demo company reaches Tasks, Accounting and Analytics although none of them has started yet.
        var services = new List<(string Name, string Project, string Section, string PathBase, int Port)>
        {
            ("auth", "Ates.Auth", "Auth", "/auth", FreePort.Next()),
            ("tasks", "Ates.Tasks", "Tasks", "/tasks", FreePort.Next()),
        };
        for (var i = 1; i <= _accountingInstances; i++)
            services.Add((i == 1 ? "accounting" : $"accounting-{i}", "Ates.Accounting", "Accounting", "/accounting", FreePort.Next()));
        services.Add(("analytics", "Ates.Analytics", "Analytics", "/analytics", FreePort.Next()));
        foreach (var database in services.Select(s => s.Project).Distinct()) await _postgres.CreateDatabaseAsync(DatabaseOf(database), ct);
        // A service's broker login is its name, as its messaging knows it (every instance of Accounting shares one).
        var brokerUri = BrokerUris = await CreateBrokerLoginsAsync(services.Select(s => s.Section.ToLowerInvariant()));

        var environments = services.ToDictionary(s => s.Name, s => Environment(s.Project, s.Section, s.PathBase, s.Port));
        // A deployment's two steps before any service starts: each database migrated to this release's schema (the
        // services refuse a schema that is behind), and the broker's topology declared.
        await Task.WhenAll(services.DistinctBy(s => s.Project).Select(s => RunCommandAsync(root, s.Name, s.Project, "migrate", environments[s.Name], log, ct)));
        await Task.WhenAll(services.DistinctBy(s => s.Project).Select(s => RunCommandAsync(root, s.Name, s.Project, "declare-topology", environments[s.Name], log, ct)));
        (_root, _log) = (root, log);
        foreach (var (name, project, section, pathBase, port) in services)
        {
            _started[name] = (project, $"http://127.0.0.1:{port}{pathBase}/health", environments[name]);
            _addresses[name] = $"http://127.0.0.1:{port}";
            await StartAsync(name, Path.Combine(root, "src", project), Dll(root, project), [], environments[name], log);
            await WaitHealthyAsync(name, _started[name].Health, ct);
        }

        var gateway = new List<string> { "--Host:Url", url };
        // The gateway knows one address per service: the first Accounting; the others share its work through the broker.
        foreach (var s in services.Where(s => !s.Name.StartsWith("accounting-", StringComparison.Ordinal))) gateway.AddRange([$"--Host:Services:{s.Name}", $"http://127.0.0.1:{s.Port}"]);
        await StartAsync("gateway", Path.Combine(root, "src", "Ates.Host"), Path.Combine(root, "src", "Ates.Host", "bin", _configuration, "net10.0", "Ates.Host.dll"), gateway,
            new Dictionary<string, string> { ["ASPNETCORE_ENVIRONMENT"] = "Development" }, log);
        await WaitHealthyAsync("gateway", $"{url}/health", ct);
        var sharing = _accountingInstances > 1 ? $" {_accountingInstances} Accounting instances share the work." : "";
        log.WriteLine($"""

            aTES (distributed) is running at {url}/ — the same pages as the one-process mode. Auth printed the demo
            sign-ins above (first start only).{sharing}
            Press Ctrl+C to stop every process.

            """);

        Dictionary<string, string> Environment(string project, string section, string pathBase, int port)
        {
            var env = new Dictionary<string, string>
            {
                ["ASPNETCORE_ENVIRONMENT"] = "Development",
                ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
                // Each instance serves its metrics at /metrics on its own address, for a Prometheus to scrape.
                ["Telemetry__Prometheus"] = "true",
                [$"{section}__Database"] = $"postgres:{(section == "Accounting" ? accountingDatabase : _postgres.ConnectionString(DatabaseOf(project)))}",
                [$"{section}__Transport"] = $"rabbitmq:{brokerUri[section.ToLowerInvariant()]}",
                [$"{section}__PathBase"] = pathBase,
                [$"{section}__SignIn__Authority"] = $"{url}/auth/",
                [$"{section}__SignIn__RequireHttpsMetadata"] = "false",
                // The menu's links on the gateway, over what a service's appsettings give for running it alone.
                ["Site__Analytics"] = "/analytics/",
                ["Site__Ops"] = "/analytics/ops",
            };
            if (section == "Auth")
            {
                env["Auth__Demo__Seed"] = "true";
                env["Auth__RequireHttps"] = "false";
                // Every instance of every service must read the same keys: in-memory keys would differ per process.
                env["Auth__Keys"] = "development";
                if (_demoPassword is not null) env["Auth__Demo__Password"] = _demoPassword;
                // The pages' clients return to the gateway's address (Auth's appsettings know only localhost:5000).
                string[] clients = ["tasks", "accounting", "analytics"];
                for (var i = 0; i < clients.Length; i++)
                {
                    env[$"Auth__Clients__{i}__ClientId"] = clients[i];
                    env[$"Auth__Clients__{i}__RedirectUris__0"] = $"{url}/{clients[i]}/signin-oidc";
                    env[$"Auth__Clients__{i}__PostLogoutRedirectUris__0"] = $"{url}/{clients[i]}/signout-callback-oidc";
                }
            }
            if (section == "Analytics")
                foreach (var producer in new[] { "auth", "tasks", "accounting" }) env[$"Analytics__Producers__{producer}"] = $"{url}/{producer}";
            if (section == "Accounting") env["Accounting__Mail__PickupFolder"] = MailFolder;
            return env;
        }
    }

    string Dll(string root, string project) => Path.Combine(root, "src", project, "bin", _configuration, "net10.0", $"{project}.dll");

    /// <summary>
    /// One of the service's commands with its own settings: <c>migrate</c> (its schema) or <c>declare-topology</c> (its
    /// exchange, queues and bindings, with its own broker login).
    /// </summary>
    async Task RunCommandAsync(string root, string name, string project, string command, Dictionary<string, string> env, TextWriter log, CancellationToken ct)
    {
        var dll = Dll(root, project);
        if (!File.Exists(dll)) throw new InvalidOperationException($"{dll} is missing: build first (dotnet build Ates.slnx).");
        var psi = new ProcessStartInfo("dotnet") { WorkingDirectory = Path.Combine(root, "src", project), RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(dll);
        psi.ArgumentList.Add(command);
        foreach (var (k, v) in env) psi.Environment[k] = v;
        using var process = Process.Start(psi)!;
        var output = process.StandardOutput.ReadToEndAsync(ct);
        var errors = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        foreach (var line in (await output + await errors).Split('\n', StringSplitOptions.RemoveEmptyEntries)) log.WriteLine($"[{name}] {line}");
        if (process.ExitCode != 0) throw new InvalidOperationException($"{project} {command} exited with {process.ExitCode}; see its output above.");
    }

    static string DatabaseOf(string project) => project.Replace("Ates.", "").ToLowerInvariant();

    async Task StartAsync(string name, string workingDirectory, string dll, IEnumerable<string> args, Dictionary<string, string> env, TextWriter log)
    {
        if (!File.Exists(dll)) throw new InvalidOperationException($"{dll} is missing: build first (dotnet build Ates.slnx).");
        var psi = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var (k, v) in env) psi.Environment[k] = v;
        var process = Process.Start(psi)!;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) log.WriteLine($"[{name}] {e.Data}"); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) log.WriteLine($"[{name}] {e.Data}"); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _processes.Add((name, process));
    }

    async Task WaitHealthyAsync(string name, string health, CancellationToken ct)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        await Eventually.UntilAsync(async () =>
        {
            if (_processes.Single(p => p.Name == name).Process.HasExited) throw new InvalidOperationException($"{name} exited at start; see its output above.");
            try { return (await http.GetAsync(health, ct)).IsSuccessStatusCode; }
            catch (HttpRequestException) { return false; }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested) { return false; }
        }, TimeSpan.FromSeconds(90), $"{name} should answer {health}", ct);
    }

    /// <summary>A fault: the broker stopped (as by its service manager) and started again on the same port and data.</summary>
    public async Task RestartBrokerAsync(TimeSpan down, CancellationToken ct)
    {
        await _rabbit!.StopAsync();
        await Task.Delay(down, ct);
        await _rabbit.StartAgainAsync(ct);
    }

    /// <summary>A fault: PostgreSQL stopped (fast shutdown: open transactions roll back) and started again.</summary>
    public async Task RestartDatabaseAsync(TimeSpan down, CancellationToken ct)
    {
        await _postgres!.StopAsync();
        await Task.Delay(down, ct);
        await _postgres.StartAgainAsync(ct);
    }

    /// <summary>A fault: the broker frozen (SIGSTOP) or thawed (SIGCONT): publishing waits for its confirms meanwhile.</summary>
    public void FreezeBroker(bool frozen)
    {
        if (_rabbit?.ProcessId is { } pid) Native.Kill(pid, frozen ? Native.SIGSTOP : Native.SIGCONT);
    }

    /// <summary>A fault: one service process SIGKILLed (no shutdown code runs), e.g. "accounting-2".</summary>
    public async Task KillAsync(string name)
    {
        var process = _processes.Single(p => p.Name == name).Process;
        process.Kill();
        await process.WaitForExitAsync();
    }

    /// <summary>Starts a killed service again as it was started (same port, settings and login); returns once it is ready.</summary>
    public async Task StartAgainAsync(string name, CancellationToken ct)
    {
        var (project, health, env) = _started[name];
        _processes.RemoveAll(p => p.Name == name && p.Process.HasExited);
        await StartAsync(name, Path.Combine(_root, "src", project), Dll(_root, project), [], env, _log);
        await WaitHealthyAsync(name, health, ct);
    }

    /// <summary>Completes when any process exits by itself.</summary>
    public Task AnyExitedAsync() => Task.WhenAny(_processes.Select(p => p.Process.WaitForExitAsync()));

    public async ValueTask DisposeAsync()
    {
        foreach (var (_, process) in Enumerable.Reverse(_processes))
        {
            if (process.HasExited) continue;
            // SIGTERM: the host stops cleanly (the relay hands its lease on); SIGKILL only if it does not within 15 s.
            using (var term = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) await term.WaitForExitAsync();
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            try { await process.WaitForExitAsync(grace.Token); }
            catch (OperationCanceledException) { process.Kill(); await process.WaitForExitAsync(); }
        }
        if (_accountingDatabase is not null) await _accountingDatabase.DisposeAsync();
        if (_rabbit is not null) await _rabbit.DisposeAsync();
        if (_postgres is not null) await _postgres.DisposeAsync();
    }

    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Ates.slnx"))) return dir.FullName;
        throw new InvalidOperationException("Ates.slnx not found above the tool.");
    }
}
