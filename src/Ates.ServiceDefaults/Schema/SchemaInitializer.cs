using Microsoft.Extensions.Hosting;

namespace Ates.ServiceDefaults.Schema;

/// <summary>Prepares the service's schema at start; registered before everything that reads the database.</summary>
public sealed class SchemaInitializer(IServiceSchema schema) : IHostedService
{
    public Task StartAsync(CancellationToken ct) => schema.PrepareAsync(ct);

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
