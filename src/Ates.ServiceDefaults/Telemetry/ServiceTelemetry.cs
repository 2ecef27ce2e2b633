using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Console;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Ates.ServiceDefaults.Telemetry;

/// <summary>
/// Traces and metrics with OpenTelemetry (docs/operations.md). Both go over OTLP when the standard variables name an
/// endpoint (<c>OTEL_EXPORTER_OTLP_ENDPOINT</c>, <c>OTEL_EXPORTER_OTLP_PROTOCOL</c>, <c>OTEL_RESOURCE_ATTRIBUTES</c>, …);
/// <c>Telemetry:Prometheus=true</c> also serves the metrics at <c>/metrics</c> for a Prometheus to scrape. With neither,
/// nothing is recorded: a span or a measurement costs only where someone reads it.
/// </summary>
public static class ServiceTelemetry
{
    /// <summary>Where aTES' own spans and metrics come from: the messaging library's and each service's (Ates.Accounting, …).</summary>
    public const string Sources = "Ates.*";

    /// <summary>The path of the Prometheus scrape endpoint.</summary>
    public const string ScrapePath = "/metrics";

    /// <summary>
    /// The service's telemetry under the name <c>ates-&lt;service&gt;</c>. In the one-process host the services share
    /// one process, and the host records for all of them (<c>Telemetry:PerService=false</c> in each service's settings).
    /// </summary>
    public static IServiceCollection AddServiceTelemetry(this WebApplicationBuilder builder, string service)
    {
        var config = builder.Configuration;
        var otlp = Exports(config);
        var prometheus = config.GetValue("Telemetry:Prometheus", false);
        // A log line written in a traced request or handling names its trace (and span), so it leads to the trace: on the
        // console as the line's scope, over OTLP as the record's trace context.
        if (otlp) builder.Services.Configure<SimpleConsoleFormatterOptions>(o => o.IncludeScopes = true);
        if (config.GetValue("Telemetry:PerService", true) is false || (!otlp && !prometheus)) return builder.Services;
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(serviceName: $"ates-{service}"))
            .WithMetrics(m =>
            {
                m.AddMeter(Sources).AddAspNetCoreInstrumentation();
                if (prometheus) m.AddPrometheusExporter();
            });
        if (otlp) telemetry.WithTracing(t => t.AddAtesInstrumentation()).WithLogging().UseOtlpExporter();
        return builder.Services;
    }

    /// <summary>
    /// The scrape endpoint, when <c>Telemetry:Prometheus</c> is on. It answers requests made to the service itself, not
    /// those the gateway forwards: the figures are for the operator's Prometheus, not for the public.
    /// </summary>
    public static WebApplication UseServiceMetrics(this WebApplication app)
    {
        if (app.Configuration.GetValue("Telemetry:Prometheus", false) && app.Configuration.GetValue("Telemetry:PerService", true))
            app.UseOpenTelemetryPrometheusScrapingEndpoint(http => http.Request.Path == ScrapePath && !http.Request.Headers.ContainsKey("X-Forwarded-For"));
        return app;
    }

    /// <summary>Whether an OTLP endpoint is configured.</summary>
    static bool Exports(IConfiguration config) =>
        !string.IsNullOrEmpty(config["OTEL_EXPORTER_OTLP_ENDPOINT"]) || !string.IsNullOrEmpty(config["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"]);

    /// <summary>What a trace of aTES holds: its own spans, HTTP in and out, and every database command.</summary>
    public static TracerProviderBuilder AddAtesInstrumentation(this TracerProviderBuilder tracing) => tracing
        .AddSource(Sources)
        .AddAspNetCoreInstrumentation(o => o.Filter = http => !IsHealthProbe(http.Request.Path))
        .AddHttpClientInstrumentation()
        .AddEntityFrameworkCoreInstrumentation();

    /// <summary>Health probes every few seconds would bury the requests people make: /health, /health/ready, … also behind the gateway (/tasks/health).</summary>
    static bool IsHealthProbe(PathString path) => path.Value?.Split('/').Contains("health") == true;
}
