using Ates.Accounting.Data;
using Ates.Analytics.Data;
using Ates.Host;
using Ates.Messaging.Inbox;
using Microsoft.Extensions.DependencyInjection;

namespace Ates.EndToEnd.Tests;

/// <summary>The one-process system as `dotnet run --project src/Ates.Host` starts it, on its own data folder and a free port.</summary>
public sealed class EmbeddedSystem : SystemUnderTest
{
    readonly string _data = Directory.CreateTempSubdirectory("ates-e2e-").FullName;
    AtesSystem? _system;

    protected override string Name => "";
    public override string MailFolder => Path.Combine(_data, "mail");

    protected override async Task StartAsync(CancellationToken ct) =>
        _system = await AtesSystem.StartAsync([], new Dictionary<string, string?>
        {
            ["Host:Url"] = Url,
            ["Host:Data"] = _data,
            ["Auth:Keys"] = "ephemeral",
            ["Auth:Demo:Password"] = Password,
            ["Logging:LogLevel:Default"] = "Warning",
        });

    protected override async ValueTask StopAsync()
    {
        if (_system is not null) await _system.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_data, recursive: true); } catch (IOException) { }
    }

    /// <summary>In one process the bus hands a delivery to the consumer: the poison goes the same way.</summary>
    public override async Task SendPoisonAsync(CancellationToken ct)
    {
        await Service("accounting").GetRequiredService<EventConsumer<AccountingDb>>().ConsumeAsync(Poison(), 1, ct);
        await Service("analytics").GetRequiredService<EventConsumer<AnalyticsDb>>().ConsumeAsync(Poison(), 1, ct);
    }

    IServiceProvider Service(string name) => _system!.Services.Single(s => s.Name == name).App.Services;
}
