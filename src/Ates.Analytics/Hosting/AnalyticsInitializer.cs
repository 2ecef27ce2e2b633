using Ates.Analytics.Data;
using Ates.ServiceDefaults.Hosting;

namespace Ates.Analytics.Hosting;

/// <summary>Creates the schema; registered before the messaging services, so it runs before the relay's and consumer's first poll.</summary>
public sealed class AnalyticsInitializer(IServiceProvider services) : IHostedService
{
    public async Task StartAsync(CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<AnalyticsDb>().CreateSchemaAsync(ct);
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
