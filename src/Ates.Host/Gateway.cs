using Ates.ServiceDefaults.Telemetry;
using Ates.ServiceDefaults.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Yarp.ReverseProxy.Configuration;

namespace Ates.Host;

/// <summary>
/// The one origin: /auth, /tasks, /accounting, /analytics go to their services (path kept, the original Host header
/// passed on, so Auth issues tokens as http://localhost:5000/auth/ and the services build their links under it).
/// </summary>
static class Gateway
{
    public static WebApplication AddGateway(this WebApplicationBuilder builder, IReadOnlyList<(string Name, string PathBase, string Address)> services)
    {
        var routes = services.Select(s => new RouteConfig
        {
            RouteId = s.Name,
            ClusterId = s.Name,
            Match = new RouteMatch { Path = $"{s.PathBase}/{{**rest}}" },
            Transforms = [new Dictionary<string, string> { ["RequestHeaderOriginalHost"] = "true" }],
        }).ToList();
        var clusters = services.Select(s => new ClusterConfig
        {
            ClusterId = s.Name,
            Destinations = new Dictionary<string, DestinationConfig> { [s.Name] = new() { Address = s.Address } },
        }).ToList();
        builder.Services.AddReverseProxy().LoadFromMemory(routes, clusters);
        builder.Services.AddRazorComponents();
        builder.Services.AddSingleton(new SiteLinks());
        builder.Services.AddSingleton(new GatewayServices(services.Select(s => s.PathBase).ToList()));
        return builder.Build();
    }

    public static WebApplication MapGateway(this WebApplication app)
    {
        app.UseServiceMetrics();
        app.MapGet("/", () => new RazorComponentResult<StartPage>());
        app.MapGet("/health", () => TypedResults.Ok(new { status = "ok" }));
        // "/tasks" without the slash would miss the route and the service's relative links. (A mapped route would
        // match "/tasks/" too: routing ignores a trailing slash.)
        var pathBases = app.Services.GetRequiredService<GatewayServices>().PathBases;
        app.Use((context, next) =>
        {
            var path = context.Request.Path.Value;
            return path is not null && pathBases.Contains(path) ? Results.Redirect($"{path}/").ExecuteAsync(context) : next(context);
        });
        app.MapReverseProxy();
        return app;
    }

    sealed record GatewayServices(IReadOnlyList<string> PathBases);
}
