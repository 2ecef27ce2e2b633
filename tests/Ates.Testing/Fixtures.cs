using Ates.LocalServers;

namespace Ates.Testing;

/// <summary>
/// One private RabbitMQ node shared by a test assembly (<c>[assembly: AssemblyFixture(typeof(RabbitMqFixture))]</c>)
/// or a test class (<c>IClassFixture&lt;RabbitMqFixture&gt;</c>). Tests that stop or kill the broker should
/// start their own <see cref="RabbitMqServer"/> instead of disturbing the shared one.
/// </summary>
public sealed class RabbitMqFixture : Xunit.IAsyncLifetime
{
    RabbitMqServer? server;

    public RabbitMqServer Server => server ?? throw new InvalidOperationException("RabbitMqFixture has not been initialized.");

    public string AmqpUri => Server.AmqpUri;

    public int Port => Server.Port;

    public async ValueTask InitializeAsync() => server = await RabbitMqServer.StartAsync().ConfigureAwait(false);

    public async ValueTask DisposeAsync()
    {
        if (server is not null) await server.DisposeAsync().ConfigureAwait(false);
        server = null;
    }
}

/// <summary>
/// One private PostgreSQL cluster shared by a test assembly (<c>[assembly: AssemblyFixture(typeof(PostgresFixture))]</c>)
/// or a test class. Give each test its own database with <see cref="CreateUniqueDatabaseAsync"/>.
/// </summary>
public sealed class PostgresFixture : Xunit.IAsyncLifetime
{
    PostgresServer? server;

    public PostgresServer Server => server ?? throw new InvalidOperationException("PostgresFixture has not been initialized.");

    public string ConnectionString(string database) => Server.ConnectionString(database);

    public Task CreateDatabaseAsync(string name, CancellationToken ct = default) => Server.CreateDatabaseAsync(name, ct);

    public Task<string> CreateUniqueDatabaseAsync(string prefix, CancellationToken ct = default) => Server.CreateUniqueDatabaseAsync(prefix, ct);

    public async ValueTask InitializeAsync() => server = await PostgresServer.StartAsync().ConfigureAwait(false);

    public async ValueTask DisposeAsync()
    {
        if (server is not null) await server.DisposeAsync().ConfigureAwait(false);
        server = null;
    }
}
