using System.Diagnostics;
using Ates.Bench.Messaging;
using Ates.Messaging.Node;
using Ates.LocalServers;
using JasperFx.Resources;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Wolverine;
using Wolverine.EntityFrameworkCore;
using Wolverine.Persistence.Durability;
using Wolverine.Postgresql;
using Wolverine.RabbitMQ;
using Wolverine.RabbitMQ.Internal;
using Wolverine.Sqlite;
using Wolverine.Tracking;

namespace Ates.Bench.Wolverine;

/// <summary>
/// aTES's messaging benchmark on WolverineFx: four writers commit a task row and its message through Wolverine's EF Core
/// outbox, 10 a transaction; a handler writes a row for each in its own database in the durable inbox's transaction.
/// On RabbitMQ the producer and the consumer are two hosts with two databases; Wolverine's local queues do not leave
/// their host, so the local case is one host with one database and a durable local queue.
/// </summary>
public static class WolverinePipeline
{
    const string Schema = "wolverine";

    /// <param name="twoDatabases">Local queue only: the consumer's table and inbox in a database of its own.</param>
    /// <param name="confirms">RabbitMQ only: publish with publisher confirms, as aTES's relay does (Wolverine's default is without).</param>
    public static async Task<Result> RunAsync(string transport, string database, int count, RabbitMqServer rabbit, PostgresServer postgres,
        bool confirms = false, bool twoDatabases = false)
    {
        var files = new List<string>();
        async Task<Database> NewDatabase(string name)
        {
            if (database == "postgres") return new Database(false, await postgres.CreateUniqueDatabaseAsync($"wolverine_{name}"));
            var file = Path.Combine(Path.GetTempPath(), $"ates-bench-wolverine-{name}-{Guid.NewGuid():N}.db");
            files.Add(file);
            return new Database(true, $"Data Source={file};Default Timeout=30");
        }

        var queue = $"bench.wolverine.{Guid.NewGuid():N}"[..30];
        IHost producer, consumer;
        if (transport == "rabbitmq")
        {
            var producerDb = await NewDatabase("tasks");
            var consumerDb = await NewDatabase("accounting");
            consumer = Build("accounting", consumerDb, consumerDb, o =>
            {
                o.UseRabbitMq(new Uri(rabbit.AmqpUri)).AutoProvision();
                o.ListenToRabbitQueue(queue, q => q.QueueType = QueueType.quorum).UseDurableInbox();
                o.Discovery.IncludeType(typeof(TaskCreatedHandler));
            });
            producer = Build("tasks", producerDb, null, o =>
            {
                o.UseRabbitMq(new Uri(rabbit.AmqpUri)).AutoProvision()
                    .ConfigureChannelCreation(c => c.PublisherConfirmationsEnabled = c.PublisherConfirmationTrackingEnabled = confirms);
                o.PublishMessage<TaskCreatedMessage>().ToRabbitQueue(queue, q => q.QueueType = QueueType.quorum).UseDurableOutbox();
            });
        }
        else
        {
            // One host: the producer's database is Wolverine's main store; with two databases the consumer's is an
            // ancillary store enrolled for its DbContext (Wolverine's way for modules with their own databases).
            var producerDb = await NewDatabase("tasks");
            var consumerDb = twoDatabases ? await NewDatabase("accounting") : producerDb;
            producer = consumer = Build("tasks-and-accounting", producerDb, consumerDb, o =>
            {
                o.PublishMessage<TaskCreatedMessage>().ToLocalQueue("task-created").UseDurableInbox();
                o.Discovery.IncludeType(typeof(TaskCreatedHandler));
            });
        }

        try
        {
            await consumer.StartAsync();
            if (producer != consumer) await producer.StartAsync();
            await CreateTablesAsync(producer, consumer);
            // Wolverine compiles a handler's pipeline with Roslyn on its first message; done here, before the clock, as
            // aTES's nodes have their EF Core models built before it.
            consumer.GetRuntime().Handlers.HandlerFor(typeof(TaskCreatedMessage));

            var clock = Stopwatch.StartNew();
            // Four writers committing 10 events a transaction, as request handlers would.
            var titles = Enumerable.Range(1, count).Select(i => $"task {i}").ToList();
            await Task.WhenAll(titles.Chunk((count + 3) / 4).Select(part => ProduceAsync(producer.Services, part, 10)));
            var produced = clock.Elapsed;
            var seen = 0;
            while (seen < count)
            {
                await Task.Delay(20);
                seen = await CountSeenAsync(consumer);
            }
            clock.Stop();
            await Task.Delay(500);
            var finalSeen = await CountSeenAsync(consumer);
            if (finalSeen != count) throw new InvalidOperationException($"Wolverine {transport} on {database}: {finalSeen} rows for {count} messages.");

            // What Wolverine keeps of the messages once they are handled (the decision record checks the event log against it).
            var outgoing = await CountEnvelopesAsync<ProducerDb>(producer, "wolverine_outgoing_envelopes");
            var incomingAtProducer = await CountEnvelopesAsync<ProducerDb>(producer, "wolverine_incoming_envelopes");
            var incomingAtConsumer = await CountEnvelopesAsync<ConsumerDb>(consumer, "wolverine_incoming_envelopes");
            Console.WriteLine($"    left after delivery: {outgoing} outgoing envelope rows in the producer's database; incoming envelope rows: " +
                              (producer == consumer && !twoDatabases ? $"{incomingAtConsumer}" : $"{incomingAtProducer} in the producer's, {incomingAtConsumer} in the consumer's database"));

            var path = transport == "rabbitmq" ? confirms ? "RabbitMQ+confirms" : "RabbitMQ" : twoDatabases ? "local queue, 2 dbs" : "local queue, 1 db";
            var name = $"Wolverine {path} on {database}";
            return new Result(name, count, clock.Elapsed) { ProducerSeconds = produced.TotalSeconds };
        }
        finally
        {
            if (producer != consumer)
            {
                await producer.StopAsync();
                producer.Dispose();
            }
            await consumer.StopAsync();
            consumer.Dispose();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            foreach (var file in files) foreach (var suffix in new[] { "", "-wal", "-shm" }) File.Delete(file + suffix);
        }
    }

    sealed record Database(bool IsSqlite, string ConnectionString)
    {
        public string WolverineSchema => IsSqlite ? "main" : Schema;

        public void Configure(DbContextOptionsBuilder options)
        {
            // Wolverine's envelope mapping names a schema, which SQLite has not: EF Core warns and ignores it.
            if (IsSqlite) options.UseSqlite(ConnectionString).ConfigureWarnings(w => w.Ignore(SqliteEventId.SchemaConfiguredWarning));
            else options.UseNpgsql(ConnectionString);
        }
    }

    /// <param name="store">Wolverine's main message store, where <see cref="ProducerDb"/> lives.</param>
    /// <param name="consumerStore">Where <see cref="ConsumerDb"/> lives (none: the host does not consume).</param>
    static IHost Build(string service, Database store, Database? consumerStore, Action<WolverineOptions> transport)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning);
        builder.UseWolverine(o =>
        {
            o.ServiceName = service;
            o.Discovery.DisableConventionalDiscovery();
            if (store.IsSqlite) o.PersistMessagesWithSqlite(store.ConnectionString);
            else o.PersistMessagesWithPostgresql(store.ConnectionString, Schema);
            o.Services.AddDbContextWithWolverineIntegration<ProducerDb>(store.Configure, store.WolverineSchema);
            if (consumerStore is not null)
            {
                o.Services.AddDbContextWithWolverineIntegration<ConsumerDb>(consumerStore.Configure, consumerStore.WolverineSchema);
                if (consumerStore != store && consumerStore.IsSqlite)
                    o.PersistMessagesWithSqlite(consumerStore.ConnectionString, role: MessageStoreRole.Ancillary).Enroll<ConsumerDb>();
                else if (consumerStore != store)
                    o.PersistMessagesWithPostgresql(consumerStore.ConnectionString, Schema, MessageStoreRole.Ancillary).Enroll<ConsumerDb>();
            }
            o.UseEntityFrameworkCoreTransactions();
            o.Policies.AutoApplyTransactions();
            transport(o);
        });
        builder.Services.AddResourceSetupOnStartup();
        return builder.Build();
    }

    static async Task ProduceAsync(IServiceProvider services, IEnumerable<string> titles, int perTransaction)
    {
        foreach (var chunk in titles.Chunk(perTransaction))
        {
            await using var scope = services.CreateAsyncScope();
            var outbox = scope.ServiceProvider.GetRequiredService<IDbContextOutbox<ProducerDb>>();
            foreach (var title in chunk)
            {
                var task = new CreatedTask { TaskId = Guid.NewGuid(), Title = title };
                outbox.DbContext.CreatedTasks.Add(task);
                await outbox.PublishAsync(new TaskCreatedMessage(task.TaskId, title, null, "made by the messaging benchmark", 2, "tasks",
                    task.TaskId.ToString(), DateTimeOffset.UtcNow));
            }
            await outbox.SaveChangesAndFlushMessagesAsync();
        }
    }

    static async Task CreateTablesAsync(IHost producer, IHost consumer)
    {
        await using (var scope = producer.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ProducerDb>();
            await db.Database.ExecuteSqlRawAsync(db.Database.IsSqlite()
                ? """CREATE TABLE IF NOT EXISTS created_tasks ("TaskId" TEXT PRIMARY KEY, "Title" TEXT NOT NULL)"""
                : """CREATE TABLE IF NOT EXISTS created_tasks ("TaskId" uuid PRIMARY KEY, "Title" text NOT NULL)""");
            if (db.Database.IsSqlite()) await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;");
        }
        await using (var scope = consumer.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ConsumerDb>();
            await db.Database.ExecuteSqlRawAsync(db.Database.IsSqlite()
                ? """CREATE TABLE IF NOT EXISTS seen_tasks ("Id" INTEGER PRIMARY KEY AUTOINCREMENT, "TaskId" TEXT NOT NULL, "EventId" TEXT NOT NULL, "Sequence" INTEGER NOT NULL, "Title" TEXT NOT NULL)"""
                : """CREATE TABLE IF NOT EXISTS seen_tasks ("Id" bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, "TaskId" uuid NOT NULL, "EventId" uuid NOT NULL, "Sequence" bigint NOT NULL, "Title" text NOT NULL)""");
        }
    }

    static async Task<int> CountEnvelopesAsync<TDb>(IHost host, string table) where TDb : DbContext
    {
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TDb>().Database;
        // The table names are the benchmark's own constants.
        var sql = "SELECT count(*) AS \"Value\" FROM " + (db.IsSqlite() ? table : $"{Schema}.{table}");
        return await db.SqlQueryRaw<int>(sql).SingleAsync();
    }

    static async Task<int> CountSeenAsync(IHost consumer)
    {
        await using var scope = consumer.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ConsumerDb>().SeenTasks.CountAsync();
    }
}

/// <summary>The consumer's handler: one row per message, saved by Wolverine's EF Core transaction middleware.</summary>
public static class TaskCreatedHandler
{
    public static void Handle(TaskCreatedMessage message, Envelope envelope, ConsumerDb db) =>
        db.SeenTasks.Add(new SeenTask { TaskId = message.TaskId, EventId = envelope.Id, Title = message.Title });
}
