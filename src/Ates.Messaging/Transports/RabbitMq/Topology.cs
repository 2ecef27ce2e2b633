using Ates.Contracts;
using RabbitMQ.Client;

namespace Ates.Messaging.Transports.RabbitMq;

/// <summary>
/// The broker layout: a durable topic exchange per producer (routing key = event type), a durable
/// queue per consuming service, delay queues that send a failed message back after a while, and a
/// dead-letter exchange for messages the broker itself gives up on (too many redeliveries).
/// </summary>
public sealed class Topology(string ns)
{
    public const string AttemptHeader = "x-ates-attempt";

    public string ExchangeOf(string producer) => $"{ns}.{producer}";
    public string QueueOf(string consumer) => $"{ns}.{consumer}";
    public string DeadExchangeOf(string consumer) => $"{ns}.{consumer}.dead";
    public string RetryQueueOf(string consumer, TimeSpan delay) => $"{ns}.{consumer}.retry.{(long)delay.TotalMilliseconds}ms";

    public async Task DeclareProducerAsync(IChannel channel, string producer, CancellationToken ct) =>
        await channel.ExchangeDeclareAsync(ExchangeOf(producer), ExchangeType.Topic, durable: true, autoDelete: false, cancellationToken: ct);

    public async Task DeclareConsumerAsync(IChannel channel, ConsumerRegistration consumer, EventRegistry registry,
        IEnumerable<TimeSpan> retryDelays, bool quorum, CancellationToken ct)
    {
        var queue = QueueOf(consumer.Service);
        var dead = DeadExchangeOf(consumer.Service);
        await channel.ExchangeDeclareAsync(dead, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: ct);
        await channel.QueueDeclareAsync(dead, durable: true, exclusive: false, autoDelete: false, cancellationToken: ct);
        await channel.QueueBindAsync(dead, dead, "", cancellationToken: ct);

        var arguments = new Dictionary<string, object?> { ["x-dead-letter-exchange"] = dead };
        if (quorum)
        {
            arguments["x-queue-type"] = "quorum";
            arguments["x-delivery-limit"] = 50;
        }
        await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, arguments: arguments, cancellationToken: ct);

        foreach (var type in consumer.EventTypes)
        {
            var producer = registry.All.First(d => d.Type == type).Producer;
            await DeclareProducerAsync(channel, producer, ct);
            await channel.QueueBindAsync(queue, ExchangeOf(producer), type, cancellationToken: ct);
        }

        // A delay queue per retry step: its messages expire back into the consumer's queue.
        foreach (var delay in retryDelays.Distinct())
        {
            await channel.QueueDeclareAsync(RetryQueueOf(consumer.Service, delay), durable: true, exclusive: false, autoDelete: false,
                arguments: new Dictionary<string, object?>
                {
                    ["x-message-ttl"] = (long)delay.TotalMilliseconds,
                    ["x-dead-letter-exchange"] = "",
                    ["x-dead-letter-routing-key"] = queue,
                }, cancellationToken: ct);
        }
    }
}
