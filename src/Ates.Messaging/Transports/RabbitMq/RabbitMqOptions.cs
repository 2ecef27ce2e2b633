namespace Ates.Messaging.Transports.RabbitMq;

public sealed class RabbitMqOptions
{
    /// <summary>e.g. amqp://guest:guest@127.0.0.1:5672/</summary>
    public string Uri { get; set; } = "amqp://guest:guest@127.0.0.1:5672/";

    /// <summary>The broker login in <see cref="Uri"/>: the user-id every message this service publishes carries.</summary>
    public string Login => System.Uri.UnescapeDataString(new Uri(Uri).UserInfo.Split(':')[0]) is { Length: > 0 } user ? user : "guest";

    /// <summary><see cref="Uri"/> without its password, for logs.</summary>
    public string UriForLogs => new UriBuilder(Uri) { Password = "" }.Uri.ToString();

    /// <summary>Prefix of every exchange and queue name: several environments (or test runs) can share one broker.</summary>
    public string Namespace { get; set; } = "ates";

    /// <summary>Quorum queues replicate and survive node loss; classic queues are kept for brokers without them.</summary>
    public bool QuorumQueues { get; set; } = true;

    /// <summary>
    /// How often a quorum queue delivers a message that is never acked (its consumer crashes on it) before the broker
    /// gives up on it; the service then parks it as a dead letter with that reason.
    /// </summary>
    public int DeliveryLimit { get; set; } = 50;

    /// <summary>
    /// The partition queues of each consuming service. The instances of a service share them (each partition has one
    /// active consumer), so this bounds how many instances add capacity. Six divide evenly among one, two, three or six
    /// instances. Changing it on a live system: docs/messaging.md, "Partitions".
    /// </summary>
    public int Partitions { get; set; } = DefaultPartitions;

    public const int DefaultPartitions = 6;

    /// <summary>How long an instance's hold on its partitions lasts without renewal: after a crash, the others take them then.</summary>
    public TimeSpan PartitionLeaseDuration { get; set; } = TimeSpan.FromSeconds(6);

    /// <summary>How often an instance renews its holds and looks whether the partitions are shared fairly.</summary>
    public TimeSpan PartitionRebalanceInterval { get; set; } = TimeSpan.FromSeconds(1);
}
