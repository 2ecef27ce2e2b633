namespace Ates.Messaging.Transports.RabbitMq;

public sealed class RabbitMqOptions
{
    /// <summary>e.g. amqp://guest:guest@127.0.0.1:5672/</summary>
    public string Uri { get; set; } = "amqp://guest:guest@127.0.0.1:5672/";

    /// <summary>Prefix of every exchange and queue name: several environments (or test runs) can share one broker.</summary>
    public string Namespace { get; set; } = "ates";

    /// <summary>Quorum queues replicate and survive node loss; classic queues are kept for brokers without them.</summary>
    public bool QuorumQueues { get; set; } = true;
}
