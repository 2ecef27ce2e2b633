using Ates.Contracts;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Ates.Messaging.Transports.RabbitMq;

/// <summary>
/// The broker layout: a durable topic exchange per producer (routing key = event type); per consuming service a
/// consistent-hash exchange that spreads its events over its partition queues by the envelope's partition key (so one
/// task's or popug's events always meet in one queue), each queue with a single active consumer; delay queues that send
/// a failed message back through the hash exchange (to the same partition) after a while; and a dead-letter exchange for
/// messages the broker itself gives up on (too many redeliveries).
/// </summary>
public sealed class Topology(string ns)
{
    public const string AttemptHeader = "x-ates-attempt";

    /// <summary>The header the hash exchanges hash on: the envelope's <c>partitionkey</c>.</summary>
    public const string PartitionKeyHeader = "x-ates-partition-key";

    const string Plugin = "rabbitmq_consistent_hash_exchange";

    /// <summary>A partition queue's binding key to the hash exchange, which that exchange reads as its weight: all weigh the same.</summary>
    public const string PartitionWeight = "1";

    public string ExchangeOf(string producer) => $"{ns}.{producer}";
    public string PartitionExchangeOf(string consumer) => $"{ns}.{consumer}.partitions";
    public string PartitionQueueOf(string consumer, int partition) => $"{ns}.{consumer}.p{partition}";
    /// <summary>The exchange, and the queue bound to it, of the messages the broker gives up on (too many deliveries).</summary>
    public string DeadExchangeOf(string consumer) => $"{ns}.{consumer}.dead";
    public string DelayQueueOf(string consumer, TimeSpan delay) => $"{ns}.{consumer}.delay.{(long)delay.TotalMilliseconds}ms";

    public async Task DeclareProducerAsync(IChannel channel, string producer, CancellationToken ct) =>
        await channel.ExchangeDeclareAsync(ExchangeOf(producer), ExchangeType.Topic, durable: true, autoDelete: false, cancellationToken: ct);

    /// <summary>
    /// Makes sure another producer's exchange exists before a consumer binds to it. A consumer's own broker login may
    /// not configure it (<see cref="BrokerPermissions"/>): it only looks, and declares it only when it is missing, which
    /// a shared login may do and an own login is refused with the reason.
    /// </summary>
    public async Task EnsureProducerAsync(IConnection connection, string producer, string login, CancellationToken ct)
    {
        // A passive declare of a missing exchange, or a refused declare, closes its channel: each has one of its own.
        await using (var look = await connection.CreateChannelAsync(cancellationToken: ct))
        {
            try
            {
                await look.ExchangeDeclarePassiveAsync(ExchangeOf(producer), ct);
                return;
            }
            catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 404) { }
        }
        await using var declare = await connection.CreateChannelAsync(cancellationToken: ct);
        try
        {
            await DeclareProducerAsync(declare, producer, ct);
        }
        catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 403)
        {
            throw new InvalidOperationException(
                $"The exchange {ExchangeOf(producer)} does not exist yet and the broker login '{login}' may not create it: " +
                $"declare the producers' exchanges first (tools/Ates.Topology does), or start {producer} first.", e);
        }
    }

    /// <summary>
    /// Declares the consumer's exchanges and its <paramref name="partitions"/> queues and binds them. Declaring is
    /// idempotent, so every instance does it at start; a larger count adds queues (consistent hashing moves about
    /// the added share of the keys to them).
    /// </summary>
    public async Task DeclareConsumerAsync(IChannel channel, ConsumerRegistration consumer, EventRegistry registry,
        IEnumerable<TimeSpan> retryDelays, int partitions, bool quorum, int deliveryLimit, CancellationToken ct)
    {
        var dead = DeadExchangeOf(consumer.Service);
        await channel.ExchangeDeclareAsync(dead, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: ct);
        await channel.QueueDeclareAsync(dead, durable: true, exclusive: false, autoDelete: false, cancellationToken: ct);
        await channel.QueueBindAsync(dead, dead, "", cancellationToken: ct);

        var hash = PartitionExchangeOf(consumer.Service);
        try
        {
            await channel.ExchangeDeclareAsync(hash, "x-consistent-hash", durable: true, autoDelete: false,
                arguments: new Dictionary<string, object?> { ["hash-header"] = PartitionKeyHeader }, cancellationToken: ct);
        }
        catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 503)
        {
            throw new InvalidOperationException(
                $"RabbitMQ refused the exchange type x-consistent-hash: enable the plugin with 'rabbitmq-plugins enable {Plugin}' (it ships with RabbitMQ).", e);
        }

        for (var partition = 0; partition < partitions; partition++)
        {
            var queue = PartitionQueueOf(consumer.Service, partition);
            var arguments = new Dictionary<string, object?>
            {
                ["x-dead-letter-exchange"] = dead,
                // Of the instances subscribed to a partition only one receives: the partition's order holds through a handover.
                ["x-single-active-consumer"] = true,
            };
            if (quorum)
            {
                arguments["x-queue-type"] = "quorum";
                arguments["x-delivery-limit"] = deliveryLimit;
            }
            await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, arguments: arguments, cancellationToken: ct);
            await channel.QueueBindAsync(queue, hash, PartitionWeight, cancellationToken: ct);
        }

        // The producers' exchanges exist by now (EnsureProducerAsync).
        foreach (var type in consumer.EventTypes)
            await channel.ExchangeBindAsync(hash, ExchangeOf(registry.ProducerOf(type)), type, cancellationToken: ct);

        // A delay queue per retry step: its messages expire back into the hash exchange, which routes them by their key
        // to the partition they came from.
        foreach (var delay in retryDelays.Distinct())
        {
            await channel.QueueDeclareAsync(DelayQueueOf(consumer.Service, delay), durable: true, exclusive: false, autoDelete: false,
                arguments: new Dictionary<string, object?>
                {
                    ["x-message-ttl"] = (long)delay.TotalMilliseconds,
                    ["x-dead-letter-exchange"] = hash,
                }, cancellationToken: ct);
        }
    }
}
