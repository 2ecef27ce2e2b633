using System.Net;
using System.Text.Json;
using Ates.Messaging;
using Ates.ServiceDefaults.Hosting;
using Ates.ServiceDefaults.Users;
using Ates.LocalServers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ates.ServiceDefaults.Tests;

/// <summary>
/// A service on a real PostgreSQL and RabbitMQ, as the distributed mode runs it: <c>/health/ready</c> follows its
/// database and broker down and up again, naming what fails; <c>/health/live</c> stays up throughout.
/// </summary>
public sealed class ReadinessTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;
    static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    sealed record Readiness(HttpStatusCode Status, JsonElement Body)
    {
        public string CheckStatus(string check) => Body.GetProperty("checks").GetProperty(check).GetProperty("status").GetString()!;
        public string Description(string check) => Body.GetProperty("checks").GetProperty(check).GetProperty("description").GetString() ?? "";
    }

    static async Task<Readiness> ReadAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync(path, Ct);
        return new Readiness(response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement.Clone());
    }

    static async Task<Readiness> UntilAsync(HttpClient http, Func<Readiness, bool> condition, string what)
    {
        Readiness? last = null;
        await Eventually.UntilAsync(async () => condition(last = await ReadAsync(http, "/health/ready")), Patience, what, Ct);
        return last!;
    }

    [Fact]
    public async Task Ready_says_which_of_database_and_broker_is_down_and_comes_back_with_them_while_live_stays_up()
    {
        await using var postgres = await PostgresServer.StartAsync(Ct);
        await using var rabbit = await RabbitMqServer.StartAsync(Ct);
        await postgres.CreateDatabaseAsync("service", Ct);
        var port = FreePort.Next();
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Services.AddDbContext<ServiceDb>((sp, o) => o.UseNpgsql(postgres.ConnectionString("service")).AddOutboxSignal(sp));
        builder.Services.AddMessaging<ServiceDb>("tasks").KeepUserReplica()
            .UseTransport(new ServiceOptions { Transport = $"rabbitmq:{rabbit.AmqpUri}", RabbitNamespace = $"r{Guid.NewGuid():N}"[..12] }, null, "Tasks");
        await using var service = builder.Build();
        service.MapServiceHealth();
        await using (var scope = service.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<ServiceDb>().Database.EnsureCreatedAsync(Ct);
        await service.StartAsync(Ct);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };

        var ready = await UntilAsync(http, r => r.Status == HttpStatusCode.OK, "the service should become ready");
        Assert.Equal(["broker", "database", "messaging"], ready.Body.GetProperty("checks").EnumerateObject().Select(c => c.Name).Order());
        Assert.Equal("relay running, consumer subscribed", ready.Description("messaging"));

        await rabbit.StopAsync();
        var brokerDown = await UntilAsync(http, r => r.Status == HttpStatusCode.ServiceUnavailable, "readiness should fail without the broker");
        Assert.Equal(("unhealthy", "healthy"), (brokerDown.CheckStatus("broker"), brokerDown.CheckStatus("database")));
        Assert.Equal(HttpStatusCode.OK, (await ReadAsync(http, "/health/live")).Status);
        await rabbit.StartAgainAsync(Ct);
        await UntilAsync(http, r => r.Status == HttpStatusCode.OK, "the service should be ready again once the broker is back");

        await postgres.StopAsync();
        var databaseDown = await UntilAsync(http, r => r.Status == HttpStatusCode.ServiceUnavailable, "readiness should fail without the database");
        Assert.Equal("unhealthy", databaseDown.CheckStatus("database"));
        Assert.Equal(HttpStatusCode.OK, (await ReadAsync(http, "/health/live")).Status);
        await postgres.StartAgainAsync(Ct);
        await UntilAsync(http, r => r.Status == HttpStatusCode.OK, "the service should be ready again once the database is back");
        await service.StopAsync(Ct);
    }
}
