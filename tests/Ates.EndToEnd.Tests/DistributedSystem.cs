using RabbitMQ.Client;

namespace Ates.EndToEnd.Tests;

/// <summary>
/// The distributed topology as scripts/distributed.sh starts it: every service its own process on PostgreSQL and
/// RabbitMQ, two Accounting instances, the gateway.
/// </summary>
public sealed class DistributedSystem : SystemUnderTest
{
    readonly StringWriter _log = new();
    Topology.Topology? _topology;

    protected override string Name => "distributed-";
    public override string MailFolder => _topology!.MailFolder;

    /// <summary>The running topology: its services' own addresses, its broker and database.</summary>
    public Topology.Topology Deployment => _topology ?? throw new InvalidOperationException("Not started.");

    protected override async Task StartAsync(CancellationToken ct) =>
        _topology = await Topology.Topology.StartAsync(RepositoryRoot(), Url, TextWriter.Synchronized(_log), ct, Password);

    protected override async ValueTask StopAsync()
    {
        if (_topology is not null) await _topology.DisposeAsync();
    }

    /// <summary>Published by Tasks' broker login on its exchange as task.created: the broker routes it to every consumer of that type.</summary>
    public override async Task SendPoisonAsync(CancellationToken ct)
    {
        var factory = new ConnectionFactory { Uri = new Uri(_topology!.BrokerUris["tasks"]) };
        await using var connection = await factory.CreateConnectionAsync(ct);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: ct);
        await channel.BasicPublishAsync("ates.tasks", "task.created", mandatory: true,
            new BasicProperties { Persistent = true, UserId = "tasks", ContentType = Ates.Messaging.Envelope.EventEnvelope.ContentType }, Poison(), ct);
    }
}
