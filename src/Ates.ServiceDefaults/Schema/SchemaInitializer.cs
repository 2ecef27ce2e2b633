using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Ates.ServiceDefaults.Schema;

/// <summary>
/// Work a service must finish once its schema is ready and before its relay and consumer start: seeding, finishing
/// what a crash interrupted. Registered with <see cref="ServicePreparationRegistration.AddServicePreparation{T}"/>.
/// </summary>
public interface IServicePreparation
{
    Task PrepareAsync(CancellationToken ct);
}

/// <summary>
/// Prepares the service's schema at start, then runs its <see cref="IServicePreparation"/>s in the order they were
/// registered; registered before everything that reads the database.
/// </summary>
public sealed class SchemaInitializer(IServiceSchema schema, IEnumerable<IServicePreparation> preparations) : IHostedService
{
    public async Task StartAsync(CancellationToken ct)
    {
        await schema.PrepareAsync(ct);
        foreach (var preparation in preparations) await preparation.PrepareAsync(ct);
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}

public static class ServicePreparationRegistration
{
    public static IServiceCollection AddServicePreparation<T>(this IServiceCollection services) where T : class, IServicePreparation =>
        services.AddSingleton<IServicePreparation, T>();
}
