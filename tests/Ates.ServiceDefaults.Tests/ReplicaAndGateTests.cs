using System.Net;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text.Encodings.Web;
using System.Text.Json;
using Ates.Contracts;
using Ates.Messaging;
using Ates.Messaging.Outbox;
using Ates.Messaging.Node;
using Ates.Messaging.Transports.Embedded;
using Ates.ServiceDefaults.Users;
using Ates.LocalServers;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ates.ServiceDefaults.Tests;

/// <summary>A service's database: the messaging tables and the users replica.</summary>
public sealed class ServiceDb(DbContextOptions<ServiceDb> options) : DbContext(options)
{
    protected override void OnModelCreating(ModelBuilder model) => model.AddMessagingTables().AddUserReplica();
}

/// <summary>User events from a real "auth" producer, through the embedded transport, into a service that keeps the replica and guards its API.</summary>
public sealed class ReplicaAndGateTests : IAsyncLifetime
{
    readonly string _folder = Directory.CreateTempSubdirectory("ates-replica-").FullName;
    readonly EmbeddedBus _bus = new();
    readonly int _port = FreePort.Next();
    IHost _auth = null!;
    WebApplication _service = null!;
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{_port}");
        builder.Services.AddDbContext<ServiceDb>((sp, o) => o.UseSqlite($"Data Source={Path.Combine(_folder, "service.db")}").AddOutboxSignal(sp));
        builder.Services.AddMessaging<ServiceDb>("tasks").KeepUserReplica().UseEmbedded(_bus);
        builder.Services.AddAuthentication("Test").AddScheme<AuthenticationSchemeOptions, HeaderAuthentication>("Test", null);
        builder.Services.AddAuthorization();
        _service = builder.Build();
        _service.UseAuthentication();
        _service.UseDeactivatedUserGate<ServiceDb>();
        _service.UseAuthorization();
        _service.MapGet("/me", (ClaimsPrincipal user) => Results.Ok(new { sub = user.FindFirstValue("sub") })).RequireAuthorization();
        await using (var scope = _service.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<ServiceDb>().Database.EnsureCreatedAsync(Ct);
        await _service.StartAsync(Ct);

        _auth = TestNode.Build(new NodeSettings("auth", $"sqlite:{Path.Combine(_folder, "auth.db")}", "embedded", Consume: false), _bus);
        await _auth.StartAsync(Ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _auth.StopAsync(CancellationToken.None);
        _auth.Dispose();
        await _service.StopAsync(CancellationToken.None);
        await _service.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    async Task PublishAsync(params object[] events)
    {
        await using var scope = _auth.Services.CreateAsyncScope();
        var outbox = scope.ServiceProvider.GetRequiredService<IOutbox>();
        foreach (var e in events) outbox.Add(e, ((IUserSnapshot)e).UserId.ToString());
        await scope.ServiceProvider.GetRequiredService<TestDb>().SaveChangesAsync(Ct);
    }

    async Task<KnownUser?> ReplicaAsync(Guid id)
    {
        await using var scope = _service.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<UserReplica<ServiceDb>>().FindAsync(id, Ct);
    }

    [Fact]
    public async Task Snapshots_arriving_out_of_order_leave_the_newest()
    {
        var id = Guid.NewGuid();
        await PublishAsync(
            new UserUpdated(id, "Chirp", "chirp@uberpopug.test", UserRole.Accountant, UserStatus.Active, 3),
            new UserCreated(id, "Chirp", "chirp@uberpopug.test", UserRole.Worker, UserStatus.Active, 1),
            new UserUpdated(id, "Chirp", "chirp@uberpopug.test", UserRole.Manager, UserStatus.Active, 2));

        // Embedded delivery marks a row published only once the consumer committed it.
        await Eventually.UntilAsync(async () =>
        {
            await using var scope = _auth.Services.CreateAsyncScope();
            return await scope.ServiceProvider.GetRequiredService<TestDb>().Set<OutboxMessage>().AllAsync(m => m.PublishedAt != null, Ct);
        }, TimeSpan.FromSeconds(20), "auth should publish all three", Ct);
        var user = await ReplicaAsync(id);
        Assert.NotNull(user);
        Assert.Equal((UserRole.Accountant, 3L), (user.Role, user.EntityVersion));
    }

    [Fact]
    public async Task A_deactivated_users_token_is_refused_once_the_event_arrives()
    {
        var id = Guid.NewGuid();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_port}") };
        http.DefaultRequestHeaders.Add(HeaderAuthentication.Header, id.ToString());

        await PublishAsync(new UserCreated(id, "Kesha", "kesha@uberpopug.test", UserRole.Worker, UserStatus.Active, 1));
        await Eventually.UntilAsync(async () => await ReplicaAsync(id) is not null, TimeSpan.FromSeconds(20), "the replica should learn of the user", Ct);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/me", Ct)).StatusCode);

        await PublishAsync(new UserUpdated(id, "Kesha", "kesha@uberpopug.test", UserRole.Worker, UserStatus.Deactivated, 2));
        await Eventually.UntilAsync(async () => (await http.GetAsync("/me", Ct)).StatusCode == HttpStatusCode.Unauthorized,
            TimeSpan.FromSeconds(20), "the same credentials should be refused once user.updated arrives", Ct);
        var refusal = await http.GetAsync("/me", Ct);
        Assert.Equal("application/problem+json", refusal.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Account deactivated", (await refusal.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("title").GetString());

        // Reactivated: let in again.
        await PublishAsync(new UserUpdated(id, "Kesha", "kesha@uberpopug.test", UserRole.Worker, UserStatus.Active, 3));
        await Eventually.UntilAsync(async () => (await http.GetAsync("/me", Ct)).StatusCode == HttpStatusCode.OK,
            TimeSpan.FromSeconds(20), "a reactivated user should be let in again", Ct);
    }

    /// <summary>Stands in for token validation: the user id comes from a header. The gate under test sits behind any scheme.</summary>
    sealed class HeaderAuthentication(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        public const string Header = "X-Test-User";

        protected override Task<AuthenticateResult> HandleAuthenticateAsync() =>
            Task.FromResult(Request.Headers.TryGetValue(Header, out var sub)
                ? AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity([new Claim("sub", sub.ToString())], "Test")), "Test"))
                : AuthenticateResult.NoResult());
    }
}
