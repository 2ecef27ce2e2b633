using System.Diagnostics;
using Ates.Messaging.Node;
using Ates.Messaging.Transports.Embedded;
using Ates.LocalServers;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Ates.Bench.Messaging;

/// <summary>aTES's own path: a producer commits events through its outbox; the relay and the transport bring them to a consumer that commits each with its inbox row.</summary>
public static class Pipeline
{
    public static async Task<Result> RunAsync(string transport, string database, int count, RabbitMqServer rabbit, PostgresServer postgres)
    {
        var files = new List<string>();
        async Task<string> NewDatabase(string name)
        {
            if (database == "postgres") return $"postgres:{await postgres.CreateUniqueDatabaseAsync(name)}";
            var file = Path.Combine(Path.GetTempPath(), $"ates-bench-{name}-{Guid.NewGuid():N}.db");
            files.Add(file);
            return $"sqlite:{file}";
        }

        var transportSetting = transport == "embedded" ? "embedded" : $"rabbitmq:{rabbit.AmqpUri}";
        var ns = $"bench{Guid.NewGuid():N}"[..14];
        var bus = new EmbeddedBus();
        using var consumer = TestNode.Build(new NodeSettings("accounting", await NewDatabase("accounting"), transportSetting) { RabbitNamespace = ns }, bus);
        using var producer = TestNode.Build(new NodeSettings("tasks", await NewDatabase("tasks"), transportSetting, Consume: false) { RabbitNamespace = ns }, bus);
        await consumer.StartAsync();
        await producer.StartAsync();

        var titles = Enumerable.Range(1, count).Select(i => $"task {i}").ToList();
        var clock = Stopwatch.StartNew();
        // Four writers committing 10 events a transaction, as request handlers would.
        await Task.WhenAll(titles.Chunk((count + 3) / 4).Select(part => TestNode.ProduceAsync(producer.Services, part, 10, CancellationToken.None)));
        var produced = clock.Elapsed;
        while (true)
        {
            await using var scope = consumer.Services.CreateAsyncScope();
            if (await scope.ServiceProvider.GetRequiredService<TestDb>().SeenTasks.CountAsync() >= count) break;
            await Task.Delay(20);
        }
        clock.Stop();

        await producer.StopAsync();
        await consumer.StopAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var file in files) foreach (var suffix in new[] { "", "-wal", "-shm" }) File.Delete(file + suffix);
        return new Result($"aTES {transport} on {database} (outbox→inbox)", count, clock.Elapsed) { ProducerSeconds = produced.TotalSeconds };
    }
}
