using Ates.ServiceDefaults.Schema;
using Microsoft.AspNetCore.Builder;

namespace Ates.ServiceDefaults.Hosting;

/// <summary>A command a service's process runs instead of serving (<c>dotnet Ates.Tasks.dll migrate</c>), then exits with its code.</summary>
public sealed record ServiceCommand(Func<string[], bool> IsRequested, Func<IServiceProvider, string[], TextWriter, Task<int>> RunAsync);

/// <summary>Every service's process: its services added, then one of its commands or, without one, serving until stopped.</summary>
public static class ServiceProgram
{
    /// <summary><c>migrate</c> and <c>declare-topology</c>, which every service has, then <paramref name="commands"/> of its own.</summary>
    public static async Task<int> RunAsync(string[] args, Action<WebApplicationBuilder> add, Action<WebApplication> map, params ServiceCommand[] commands)
    {
        var builder = WebApplication.CreateBuilder(args);
        add(builder);
        var app = builder.Build();
        ServiceCommand[] all =
        [
            new(MigrateCommand.IsRequested, (services, _, output) => MigrateCommand.RunAsync(services, output)),
            new(DeclareTopologyCommand.IsRequested, (services, _, output) => DeclareTopologyCommand.RunAsync(services, output)),
            .. commands,
        ];
        if (all.FirstOrDefault(c => c.IsRequested(args)) is { } command) return await command.RunAsync(app.Services, args, Console.Out);
        map(app);
        await app.RunAsync();
        return 0;
    }
}
