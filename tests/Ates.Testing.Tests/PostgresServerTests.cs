using Ates.LocalServers;
using Npgsql;

namespace Ates.Testing.Tests;

public sealed class PostgresServerTests(PostgresFixture fixture, ITestOutputHelper output)
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Fixture_server_creates_a_database_and_runs_sql()
    {
        output.WriteLine($"{fixture.Server}: initdb {fixture.Server.InitDbTime.TotalMilliseconds:0} ms, " +
                         $"start {fixture.Server.LastStartupTime.TotalMilliseconds:0} ms");

        var connectionString = await fixture.CreateUniqueDatabaseAsync("roundtrip", Ct);
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(Ct);
        await using (var create = new NpgsqlCommand("CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL)", connection))
            await create.ExecuteNonQueryAsync(Ct);
        await using (var insert = new NpgsqlCommand("INSERT INTO items VALUES (1, 'one'), (2, 'two')", connection))
            Assert.Equal(2, await insert.ExecuteNonQueryAsync(Ct));
        await using var select = new NpgsqlCommand("SELECT name FROM items WHERE id = 2", connection);
        Assert.Equal("two", await select.ExecuteScalarAsync(Ct));

        await using var settings = new NpgsqlCommand("SELECT current_setting('fsync') || ' ' || current_setting('max_connections') || ' ' || current_setting('listen_addresses')", connection);
        Assert.Equal("on 200 127.0.0.1", await settings.ExecuteScalarAsync(Ct));
    }

    [Fact]
    public async Task CreateDatabaseAsync_creates_the_named_database()
    {
        var name = $"named_{Guid.NewGuid():N}"[..20];
        await fixture.CreateDatabaseAsync(name, Ct);
        await using var connection = new NpgsqlConnection(fixture.ConnectionString(name));
        await connection.OpenAsync(Ct);
        Assert.Equal(name, connection.Database);
    }

    [Fact]
    public async Task Committed_rows_survive_a_crash_and_dispose_cleans_up()
    {
        var server = await PostgresServer.StartAsync(Ct);
        output.WriteLine($"own server: initdb {server.InitDbTime.TotalMilliseconds:0} ms, start {server.LastStartupTime.TotalMilliseconds:0} ms");
        var connectionString = new NpgsqlConnectionStringBuilder(await server.CreateUniqueDatabaseAsync("crash", Ct)) { Pooling = false }.ConnectionString;
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync(Ct);
            await using var command = new NpgsqlCommand("CREATE TABLE t (v int); INSERT INTO t VALUES (42);", connection);
            await command.ExecuteNonQueryAsync(Ct);
        }

        var postmaster = server.ProcessId!.Value;
        await server.KillAsync();
        Assert.False(Directory.Exists($"/proc/{postmaster}"));
        await server.StartAgainAsync(Ct);
        output.WriteLine($"restart after SIGKILL (WAL recovery): {server.LastStartupTime.TotalMilliseconds:0} ms");

        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync(Ct);
            await using var command = new NpgsqlCommand("SELECT v FROM t", connection);
            Assert.Equal(42, await command.ExecuteScalarAsync(Ct));
        }

        var pid = server.ProcessId!.Value;
        await server.DisposeAsync();
        Assert.False(Directory.Exists($"/proc/{pid}"));
        Assert.False(Directory.Exists(server.RootDir));
    }
}
