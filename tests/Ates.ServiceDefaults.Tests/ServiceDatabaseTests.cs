using Ates.ServiceDefaults.Hosting;
using Microsoft.EntityFrameworkCore;

namespace Ates.ServiceDefaults.Tests;

public sealed class ServiceDatabaseTests
{
    sealed class AnyDb(DbContextOptions<AnyDb> options) : DbContext(options);

    [Fact]
    public async Task A_sqlite_connection_waits_for_the_write_lock_in_sqlites_own_busy_handler()
    {
        var file = Path.Combine(Path.GetTempPath(), $"ates-busy-{Guid.NewGuid():N}.db");
        try
        {
            var options = new DbContextOptionsBuilder<AnyDb>();
            options.UseServiceDatabase($"sqlite:{file}", "Test:Database");
            await using var db = new AnyDb(options.Options);

            var timeout = await db.Database.SqlQueryRaw<long>("SELECT timeout AS Value FROM pragma_busy_timeout").SingleAsync(TestContext.Current.CancellationToken);

            Assert.Equal(30_000, timeout);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            File.Delete(file);
        }
    }
}
