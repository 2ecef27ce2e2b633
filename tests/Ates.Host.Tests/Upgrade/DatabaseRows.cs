using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Ates.Host.Tests.Upgrade;

/// <summary>
/// Every row of a service's database as JSON, table by table, and back: what a database held at one migration, to
/// load into a database created at that migration and migrate. Values are kept as the provider stores them (SQLite's
/// integers and texts; PostgreSQL's uuids, dates and times as text it parses back).
/// </summary>
public static class DatabaseRows
{
    const string History = "__EFMigrations";

    public static async Task<JsonObject> DumpAsync(string database, CancellationToken ct)
    {
        await using var connection = Open(database);
        await connection.OpenAsync(ct);
        var tables = new JsonObject();
        foreach (var table in await TablesAsync(connection, ct))
        {
            var rows = new JsonArray();
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT * FROM \"{table}\"";
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var row = new JsonObject();
                for (var i = 0; i < reader.FieldCount; i++) row[reader.GetName(i)] = ToJson(reader.GetValue(i));
                rows.Add(row);
            }
            tables[table] = rows;
        }
        return tables;
    }

    /// <summary>Puts the rows into the database's tables of the same names, instead of what they held (foreign keys unchecked while loading).</summary>
    public static async Task LoadAsync(string database, JsonObject tables, CancellationToken ct)
    {
        await using var connection = Open(database);
        await connection.OpenAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var postgres = connection is NpgsqlConnection;
        await ExecuteAsync(connection, tx, postgres ? "SET LOCAL session_replication_role = replica" : "PRAGMA defer_foreign_keys = ON", ct);
        foreach (var (table, rows) in tables)
        {
            if (rows is not JsonArray { Count: > 0 } list) continue;
            // What the migration seeded (HasData) is among the rows taken.
            await ExecuteAsync(connection, tx, $"DELETE FROM \"{table}\"", ct);
            if (postgres)
            {
                // PostgreSQL reads each column's type from the table and parses the JSON text into it.
                await using var insert = (NpgsqlCommand)connection.CreateCommand();
                insert.Transaction = (NpgsqlTransaction)tx;
                insert.CommandText = $"INSERT INTO \"{table}\" SELECT * FROM json_populate_recordset(NULL::\"{table}\", @rows::json)";
                insert.Parameters.AddWithValue("rows", list.ToJsonString());
                await insert.ExecuteNonQueryAsync(ct);
                continue;
            }
            foreach (var row in list.Cast<JsonObject>())
            {
                await using var insert = connection.CreateCommand();
                insert.Transaction = tx;
                var columns = row.Select(c => c.Key).ToList();
                insert.CommandText = $"INSERT INTO \"{table}\" ({string.Join(", ", columns.Select(c => $"\"{c}\""))}) VALUES ({string.Join(", ", columns.Select((_, i) => $"@p{i}"))})";
                for (var i = 0; i < columns.Count; i++)
                {
                    var parameter = insert.CreateParameter();
                    parameter.ParameterName = $"@p{i}";
                    parameter.Value = FromJson(row[columns[i]]);
                    insert.Parameters.Add(parameter);
                }
                await insert.ExecuteNonQueryAsync(ct);
            }
        }
        // Identity columns go on after the loaded rows, as they would have after inserting them one by one.
        if (postgres)
            await ExecuteAsync(connection, tx, """
                DO $$ DECLARE c record; BEGIN
                  FOR c IN SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public' AND is_identity = 'YES' LOOP
                    EXECUTE format('SELECT setval(pg_get_serial_sequence(%L, %L), GREATEST(COALESCE((SELECT max(%I) FROM %I), 0), 1), (SELECT count(*) > 0 FROM %I))',
                      quote_ident(c.table_name), c.column_name, c.column_name, c.table_name, c.table_name);
                  END LOOP; END $$;
                """, ct);
        await tx.CommitAsync(ct);
    }

    static DbConnection Open(string database) =>
        database.StartsWith("sqlite:", StringComparison.Ordinal) ? new SqliteConnection($"Data Source={database["sqlite:".Length..]};Pooling=False")
        : database.StartsWith("postgres:", StringComparison.Ordinal) ? new NpgsqlConnection(database["postgres:".Length..])
        : throw new ArgumentException($"not a database setting: {database}");

    static async Task<List<string>> TablesAsync(DbConnection connection, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = connection is NpgsqlConnection
            ? "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1"
            : "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY 1";
        var tables = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            if (!reader.GetString(0).StartsWith(History, StringComparison.Ordinal)) tables.Add(reader.GetString(0));
        return tables;
    }

    static async Task ExecuteAsync(DbConnection connection, DbTransaction tx, string sql, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(ct);
    }

    static JsonNode? ToJson(object value) => value switch
    {
        DBNull => null,
        string s => s,
        long or int or short or bool or double or decimal => JsonValue.Create(value),
        Guid g => g.ToString(),
        DateTime t => t.ToString(t.Kind == DateTimeKind.Utc ? "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'" : "yyyy-MM-dd'T'HH:mm:ss.ffffff", CultureInfo.InvariantCulture),
        DateTimeOffset t => t.ToString("O", CultureInfo.InvariantCulture),
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        _ => throw new NotSupportedException($"no JSON for a column value of {value.GetType()}"),
    };

    static object FromJson(JsonNode? node) => node switch
    {
        null => DBNull.Value,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => v.GetValue<bool>(),
        JsonValue v when v.TryGetValue<long>(out var n) => n,
        JsonValue v => v.GetValue<double>(),
        _ => throw new NotSupportedException($"no column value for {node.ToJsonString()}"),
    };
}
