using Ates.Accounting;
using Ates.Analytics;
using Ates.Auth;
using Ates.Messaging.Transports.Embedded;
using Ates.Tasks;
using Ates.ServiceDefaults.Telemetry;

namespace Ates.Host;

/// <summary>
/// The whole system in one process. Each service is its own web application (own container, own database) on a
/// private loopback port; the gateway is the only address people use. The services share one embedded bus, and
/// every consumer is configured before any service starts, so no event is published to a consumer not yet declared.
/// </summary>
public sealed class AtesSystem : IAsyncDisposable
{
    /// <summary>The services in start order, with the path each is served under.</summary>
    readonly List<(string Name, string PathBase, WebApplication App)> _services = [];
    WebApplication _gateway = null!;

    public string Url { get; private set; } = "";

    public WebApplication Gateway => _gateway;

    public IReadOnlyList<(string Name, string PathBase, WebApplication App)> Services => _services;

    public static async Task<AtesSystem> StartAsync(string[] args, IDictionary<string, string?>? settings = null)
    {
        var system = new AtesSystem();
        await system.StartInternalAsync(args, settings ?? new Dictionary<string, string?>());
        return system;
    }

    async Task StartInternalAsync(string[] args, IDictionary<string, string?> settings)
    {
        var gateway = ServiceBuilders.Create(args, overrides: settings);
        var options = gateway.Configuration.GetSection("Host").Get<AtesHostOptions>() ?? new AtesHostOptions();
        Url = options.Url.TrimEnd('/');
        var bus = new EmbeddedBus();
        var defaults = ServiceBuilders.Defaults(Url, options.Data);

        // Distributed: the services run as their own processes; this process is only their gateway.
        var remote = gateway.Configuration.GetSection("Host:Services").Get<Dictionary<string, string>>() ?? [];
        gateway.AddServiceTelemetry(remote.Count > 0 ? "gateway" : "host");
        if (remote.Count > 0)
        {
            gateway.WebHost.UseUrls(Url);
            _gateway = gateway.AddGateway(remote.Select(s => (s.Key, $"/{s.Key}", s.Value.TrimEnd('/'))).ToList());
            _gateway.MapGateway();
            await _gateway.StartAsync();
            Console.WriteLine($"aTES gateway at {Url}/ for {string.Join(", ", remote.Select(s => $"{s.Key} ({s.Value})"))}. Ctrl+C stops it.");
            return;
        }

        // Configure every service before starting any: their consumers are declared on the bus as they are configured.
        var builders = new List<(string Name, string PathBase, WebApplicationBuilder Builder, Action<WebApplication> Map)>
        {
            ("analytics", "/analytics", ServiceBuilders.Create(args, defaults, settings).AddAnalytics(bus), app => app.MapAnalytics()),
            ("accounting", "/accounting", ServiceBuilders.Create(args, defaults, settings).AddAccounting(bus), app => app.MapAccounting()),
            ("tasks", "/tasks", ServiceBuilders.Create(args, defaults, settings).AddTasks(bus), app => app.MapTasks()),
            ("auth", "/auth", ServiceBuilders.Create(args, defaults, settings).AddAuth(bus), app => app.MapAuth()),
        };
        foreach (var (name, pathBase, builder, map) in builders)
        {
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Services.AddSingleton<IHostLifetime, ServiceLifetime>();
            var app = builder.Build();
            map(app);
            _services.Add((name, pathBase, app));
        }
        // Auth last: the demo company's user events go out once every consumer is attached.
        foreach (var (_, _, app) in _services) await app.StartAsync();

        gateway.WebHost.UseUrls(Url);
        _gateway = gateway.AddGateway(_services.Select(s => (s.Name, s.PathBase, ServiceBuilders.AddressOf(s.App))).ToList());
        _gateway.MapGateway();
        await _gateway.StartAsync();
        Console.WriteLine($"""

            aTES is running at {Url}/
              Tasks       {Url}/tasks/
              Accounting  {Url}/accounting/
              Analytics   {Url}/analytics/
              Users       {Url}/auth/admin/users
            Sign in as one of the demo company (admin@popug.inc, manager@popug.inc, accountant@popug.inc,
            worker1..10@popug.inc); their passwords were printed when it was created. Data: {Path.GetFullPath(options.Data)}
            (delete that folder to start afresh). Press Ctrl+C to stop.

            """);
    }

    /// <summary>Until Ctrl+C (or SIGTERM) stops the gateway.</summary>
    public Task WaitForShutdownAsync() => _gateway.WaitForShutdownAsync();

    public async ValueTask DisposeAsync()
    {
        if (_gateway is not null)
        {
            await _gateway.StopAsync();
            await _gateway.DisposeAsync();
        }
        foreach (var (_, _, app) in Enumerable.Reverse(_services))
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    /// <summary>The services do not listen for Ctrl+C themselves: the system stops them, gateway first.</summary>
    sealed class ServiceLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken ct) => Task.CompletedTask;

        public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
    }
}
