using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Ates.ServiceDefaults.Telemetry;

/// <summary>
/// Traces with OpenTelemetry, exported over OTLP as the standard variables say (<c>OTEL_EXPORTER_OTLP_ENDPOINT</c>,
/// <c>OTEL_EXPORTER_OTLP_PROTOCOL</c>, <c>OTEL_SERVICE_NAME</c>, <c>OTEL_RESOURCE_ATTRIBUTES</c>, …). Without an endpoint
/// nothing is recorded: a span costs only where someone reads it.
/// </summary>
public static class ServiceTelemetry
{
    /// <summary>Where aTES' own spans come from: the messaging library and each service's (Ates.Accounting, …).</summary>
    public const string Sources = "Ates.*";

    /// <summary>
    /// The service's traces under the name <c>ates-&lt;service&gt;</c> (unless OTEL_SERVICE_NAME names it). In the
    /// one-process host the services share one process, and the host records for all of them
    /// (<c>Telemetry:PerService=false</c> in each service's settings).
    /// </summary>
    public static IServiceCollection AddServiceTelemetry(this WebApplicationBuilder builder, string service)
    {
        var config = builder.Configuration;
        if (config.GetValue("Telemetry:PerService", true) is false || !Exports(config)) return builder.Services;
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(serviceName: $"ates-{service}"))
            .WithTracing(t => t.AddAtesInstrumentation())
            .UseOtlpExporter();
        return builder.Services;
    }

    /// <summary>Whether an OTLP endpoint is configured for traces.</summary>
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
