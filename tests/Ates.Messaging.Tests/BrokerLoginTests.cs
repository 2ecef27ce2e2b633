using System.Text;
using Ates.Messaging.DeadLetters;
using Ates.Messaging.Node;
using Ates.Messaging.Transports.RabbitMq;
using Ates.LocalServers;
using Microsoft.EntityFrameworkCore;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;

namespace Ates.Messaging.Tests;

/// <summary>
/// A broker login per service, created from <see cref="BrokerPermissions"/> as the distributed topology creates them:
/// each service may publish to its own exchange and read its own queues only, and a consumer takes an event only from
/// the login of its producer, however it reached the queue.
/// </summary>
public sealed class BrokerLoginTests(Servers servers)
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;
    readonly Dictionary<string, string> _passwords = new[] { "tasks", "accounting", "analytics" }.ToDictionary(s => s, _ => Guid.NewGuid().ToString("N"));

    async Task<Topology> StartAsync()
    {
        var topology = await Topology.CreateAsync(servers, "rabbitmq", "sqlite");
        await servers.Rabbit.ImportDefinitionsAsync(BrokerPermissions.Definitions(topology.Namespace, _passwords, ["tasks", "auth"]));
        return topology;
    }

    (string, string) Login(string service) => (service, _passwords[service]);

    async Task<IConnection> ConnectAsync(string service) =>
        await new ConnectionFactory { Uri = new Uri($"amqp://{service}:{_passwords[service]}@127.0.0.1:{servers.Rabbit.Port}/") }.CreateConnectionAsync(Ct);

    /// <summary>What the broker answers one operation on a channel of its own: 200 when done, else the reply code it closed the channel with.</summary>
    static async Task<int> ReplyAsync(IConnection connection, Func<IChannel, Task> operation)
    {
        await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), Ct);
        try
        {
            await operation(channel);
            return 200;
        }
        catch (OperationInterruptedException e) { return e.ShutdownReason?.ReplyCode ?? -1; }
        catch (PublishException) when (channel.CloseReason is { } reason) { return reason.ReplyCode; }
    }

    static string TaskCreated(string title, string source = "/ates/tasks") =>
        $$$"""{"specversion":"1.0","id":"{{{Guid.NewGuid()}}}","source":"{{{source}}}","type":"task.created","time":"2026-11-24T10:00:00Z","dataschema":"ates:schemas/tasks/task.created/2.json","datacontenttype":"application/json","eventversion":2,"sequence":"1","partitionkey":"{{{Guid.NewGuid()}}}","data":{"task_id":"{{{Guid.NewGuid()}}}","title":"{{{title}}}","jira_id":null,"description":"","entity_version":1}}""";

    [Fact]
    public async Task Each_services_login_may_publish_to_its_own_exchange_and_read_its_own_queues_only()
    {
        await using var topology = await StartAsync();
        // Accounting declares its queues under its own login; the producers' exchanges came with the definitions.
        await topology.StartAsync(new NodeSettings("accounting", await topology.NewDatabaseAsync("accounting"), "rabbitmq"), Login("accounting"));
        var ns = topology.Namespace;
        await using var analytics = await ConnectAsync("analytics");
        var body = Encoding.UTF8.GetBytes(TaskCreated("Forged"));
        Task Publish(IChannel channel, string exchange, string routingKey, string userId) =>
            channel.BasicPublishAsync(exchange, routingKey, mandatory: false, new BasicProperties { UserId = userId }, body, Ct).AsTask();

        Assert.Equal(200, await ReplyAsync(analytics, c => c.ExchangeDeclareAsync($"{ns}.analytics", ExchangeType.Topic, durable: true, cancellationToken: Ct)));
        Assert.Equal(200, await ReplyAsync(analytics, c => Publish(c, $"{ns}.analytics", "analytics.anything", "analytics")));
        // Another producer's exchange: neither publishing to it nor deleting it.
        Assert.Equal(403, await ReplyAsync(analytics, c => Publish(c, $"{ns}.tasks", "task.created", "analytics")));
        Assert.Equal(403, await ReplyAsync(analytics, c => c.ExchangeDeleteAsync($"{ns}.tasks", cancellationToken: Ct)));
        // Another consumer's queue: neither consuming it nor purging or deleting it.
        Assert.Equal(403, await ReplyAsync(analytics, c => c.BasicConsumeAsync($"{ns}.accounting.p0", autoAck: true, new AsyncEventingBasicConsumer(c), Ct)));
        Assert.Equal(403, await ReplyAsync(analytics, c => c.QueuePurgeAsync($"{ns}.accounting.p0", Ct)));
        Assert.Equal(403, await ReplyAsync(analytics, c => c.QueueDeleteAsync($"{ns}.accounting.p0", cancellationToken: Ct)));
        // Nor may a login publish under another's name: the broker checks the user-id against the connection.
        Assert.Equal(406, await ReplyAsync(analytics, c => Publish(c, $"{ns}.analytics", "analytics.anything", "tasks")));
    }

    [Fact]
    public async Task A_consumer_takes_an_event_only_from_its_producers_login_retries_included()
    {
        await using var topology = await StartAsync();
        var consumer = await topology.StartAsync(new NodeSettings("accounting", await topology.NewDatabaseAsync("accounting"), "rabbitmq"), Login("accounting"));
        var producer = await topology.StartAsync(new NodeSettings("tasks", await topology.NewDatabaseAsync("tasks"), "rabbitmq", Consume: false), Login("tasks"));

        // From Tasks under its login; the flaky one fails once and comes back through Accounting's delay queue.
        await TestNode.ProduceAsync(producer.Services, ["Genuine", "flaky genuine"], perTransaction: 2, Ct);
        await Eventually.UntilAsync(async () => await Topology.SeenCountAsync(consumer) == 2, TimeSpan.FromSeconds(30), "both of Tasks' events should be handled", Ct);

        // Analytics may write to Accounting's partition exchange (replays go that way), and says the event is Tasks'.
        await using var analytics = await ConnectAsync("analytics");
        var forged = TaskCreated("Forged by analytics");
        Assert.Equal(200, await ReplyAsync(analytics, async c =>
        {
            var properties = new BasicProperties { UserId = "analytics", Persistent = true, Headers = new Dictionary<string, object?> { [Ates.Messaging.Transports.RabbitMq.Topology.PartitionKeyHeader] = "x" } };
            await c.BasicPublishAsync($"{topology.Namespace}.accounting.partitions", "task.created", mandatory: true, properties, Encoding.UTF8.GetBytes(forged), Ct);
        }));
        await Eventually.UntilAsync(async () => await Topology.QueryAsync(consumer, db => db.Set<DeadLetter>().AnyAsync(Ct)),
            TimeSpan.FromSeconds(30), "the forged event should be dead-lettered", Ct);
        var letter = await Topology.QueryAsync(consumer, db => db.Set<DeadLetter>().SingleAsync(Ct));
        Assert.Equal("task.created comes from tasks only, but the broker login 'analytics' published it", letter.Reason);
        Assert.Equal(forged, letter.Body);
        Assert.Equal(2, await Topology.SeenCountAsync(consumer));
    }
}
