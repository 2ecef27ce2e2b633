using System.Text.Json;
using Ates.Messaging;
using Ates.Messaging.Ops;
using Ates.Messaging.Transports.RabbitMq;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Ates.ServiceDefaults.Hosting;

/// <summary>
/// <c>/health/live</c>: the process answers. <c>/health/ready</c> (and <c>/health</c>): its database answers, its broker
/// connection is open, its consumer is subscribed and its relay goes round; 503 with the failing check's reason otherwise.
/// </summary>
public static class ServiceHealth
{
    const string Ready = MessagingHealthCheck.ReadyTag;

    public static MessagingBuilder<TDb> AddServiceHealth<TDb>(this MessagingBuilder<TDb> messaging, bool rabbitMq) where TDb : DbContext
    {
        var checks = messaging.Services.AddHealthChecks()
            .AddDbContextCheck<TDb>("database", tags: [Ready])
            .AddCheck<MessagingHealthCheck<TDb>>("messaging", tags: [Ready]);
        if (rabbitMq)
            // The service's own connection: the check opens a channel on it. A broker never reached yet fails in time.
            checks.AddRabbitMQ(sp => sp.GetRequiredService<RabbitMqConnection>().GetAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5)),
                name: "broker", tags: [Ready], timeout: TimeSpan.FromSeconds(5));
        return messaging;
    }

    public static IEndpointRouteBuilder MapServiceHealth(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteAsync }).ExcludeFromDescription();
        foreach (var path in new[] { "/health/ready", "/health" })
            app.MapHealthChecks(path, new HealthCheckOptions { Predicate = c => c.Tags.Contains(Ready), ResponseWriter = WriteAsync }).ExcludeFromDescription();
        return app;
    }

    /// <summary>{"status": "healthy", "checks": {"database": {"status": …, "description": …}, …}}.</summary>
    static Task WriteAsync(HttpContext http, HealthReport report)
    {
        http.Response.ContentType = "application/json";
        return JsonSerializer.SerializeAsync(http.Response.Body, new
        {
            status = report.Status.ToString().ToLowerInvariant(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new
            {
                status = e.Value.Status.ToString().ToLowerInvariant(),
                description = e.Value.Description ?? e.Value.Exception?.Message,
                duration_ms = Math.Round(e.Value.Duration.TotalMilliseconds, 1),
            }),
        }, cancellationToken: http.RequestAborted);
    }
}
