using Microsoft.Extensions.DependencyInjection;

namespace Ates.ServiceDefaults.Schema;

/// <summary>
/// <c>dotnet Ates.&lt;Service&gt;.dll migrate</c>: applies the migrations the service's database lacks and exits, with
/// the service's own settings. The distributed deployment runs it for every service before starting the new release
/// (tools/Ates.Topology does); on PostgreSQL a service refuses to start against a schema that is behind.
/// </summary>
public static class MigrateCommand
{
    public static bool IsRequested(string[] args) => args is ["migrate", ..];

    public static async Task<int> RunAsync(IServiceProvider services, TextWriter output)
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(30));
        var applied = await services.GetRequiredService<IServiceSchema>().MigrateAsync(stop.Token);
        await output.WriteLineAsync(applied.Count == 0
            ? "migrate: the schema is up to date."
            : $"migrate: applied {string.Join(", ", applied)}.");
        return 0;
    }
}
