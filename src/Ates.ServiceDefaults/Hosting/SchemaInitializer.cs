using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Ates.ServiceDefaults.Hosting;

/// <summary>Creates the service's schema at start; register it before AddMessaging so it runs before the relay's first poll.</summary>
public sealed class SchemaInitializer<TDb>(IServiceProvider services) : IHostedService where TDb : DbContext
{
    public async Task StartAsync(CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<TDb>().CreateSchemaAsync(ct);
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
