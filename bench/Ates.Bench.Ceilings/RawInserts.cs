using System.Data.Common;
using System.Diagnostics;

namespace Ates.Bench.Ceilings;

/// <summary>
/// The database's ceiling: plain parameterised INSERTs of a row shaped like a ledger entry (id, account, amount, kind,
/// day), 200 to a transaction as a consumer's batch, into a scratch table of the database given — no ORM, no
/// validation, no events. The table is dropped afterwards.
/// </summary>
public static class RawInserts
{
    public static async Task<Ceiling> InsertAsync(DbConnection connection, int count, string engine)
    {
        const string table = "bench_raw_inserts";
        if (connection.State != System.Data.ConnectionState.Open) await connection.OpenAsync();
        await ExecuteAsync(connection, $"DROP TABLE IF EXISTS {table}");
        await ExecuteAsync(connection, $"CREATE TABLE {table} (id uuid PRIMARY KEY, account_id uuid NOT NULL, amount numeric(18,2) NOT NULL, kind varchar(20) NOT NULL, day date NOT NULL)");
        var day = DateOnly.FromDateTime(DateTime.UtcNow);
        var clock = Stopwatch.StartNew();
        for (var done = 0; done < count; done += 200)
        {
            await using var transaction = await connection.BeginTransactionAsync();
            await using var insert = connection.CreateCommand();
            insert.Transaction = transaction;
            insert.CommandText = $"INSERT INTO {table} (id, account_id, amount, kind, day) VALUES (@id, @account, @amount, @kind, @day)";
            var (id, account, amount, kind, on) = (Add(insert, "@id"), Add(insert, "@account"), Add(insert, "@amount"), Add(insert, "@kind"), Add(insert, "@day"));
            for (var i = done; i < Math.Min(count, done + 200); i++)
            {
                (id.Value, account.Value, amount.Value, kind.Value, on.Value) = (Guid.CreateVersion7(), Guid.CreateVersion7(), 10m + i % 30, "reward", day);
                if (i == done) await insert.PrepareAsync();
                await insert.ExecuteNonQueryAsync();
            }
            await transaction.CommitAsync();
        }
        clock.Stop();
        await ExecuteAsync(connection, $"DROP TABLE {table}");
        return new Ceiling($"raw INSERTs into {engine} (200 a transaction)", count, clock.Elapsed);
    }

    static DbParameter Add(DbCommand command, string name)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        command.Parameters.Add(parameter);
        return parameter;
    }

    static async Task ExecuteAsync(DbConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }
}
