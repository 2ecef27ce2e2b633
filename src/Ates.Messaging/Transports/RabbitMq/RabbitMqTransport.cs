using System.Text;
using System.Threading.Channels;
using Ates.Contracts;
using Ates.Messaging.Envelope;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Ates.Messaging.Transports.RabbitMq;

/// <summary>
/// Publishes persistent messages with publisher confirms (mandatory, so an unroutable event is
/// refused and retried rather than dropped) and consumes with manual acks sent after the
/// consumer's commit. A failed delivery goes to a delay queue and comes back with its attempt count.
/// </summary>
public sealed class RabbitMqTransport(
    RabbitMqConnection connection,
    RabbitMqOptions rabbit,
    MessagingOptions options,
    EventRegistry registry,
    ILogger<RabbitMqTransport> log) : IEventTransport, IConsumerTransport, IAsyncDisposable
{
    readonly SemaphoreSlim _publishGate = new(1, 1);
    readonly Topology _topology = new(rabbit.Namespace);
    IChannel? _publisher;
    IChannel? _consumerChannel;
    string? _consumerTag;
    Channel<Received>? _inbound;
    Task? _worker;

    public Task PublishAsync(IReadOnlyList<EventEnvelope> events, CancellationToken ct) =>
        PublishAsync(events, e => (_topology.ExchangeOf(options.Service), e.Type), ct);

    public async Task SendToConsumerAsync(string consumer, IReadOnlyList<EventEnvelope> events, CancellationToken ct)
    {
        try
        {
            await PublishAsync(events, _ => ("", _topology.QueueOf(consumer)), ct);
        }
        catch (RabbitMQ.Client.Exceptions.PublishException e) when (e.IsReturn)
        {
            // Published mandatory to the default exchange: returned when the consumer's queue does not exist.
            throw new UnknownConsumerException(consumer, e);
        }
    }

    async Task PublishAsync(IReadOnlyList<EventEnvelope> events, Func<EventEnvelope, (string Exchange, string RoutingKey)> route, CancellationToken ct)
    {
        await _publishGate.WaitAsync(ct);
        try
        {
            var channel = await PublisherAsync(ct);
            // Publish the whole batch, then wait for every confirm: one round trip per batch, not per event.
            var confirms = new List<ValueTask>(events.Count);
            foreach (var envelope in events)
            {
                var (exchange, routingKey) = route(envelope);
                confirms.Add(channel.BasicPublishAsync(exchange, routingKey, mandatory: true, Properties(envelope, 1), envelope.Encode(), ct));
            }
            foreach (var confirm in confirms) await confirm;
        }
        finally
        {
            _publishGate.Release();
        }
    }

    async Task<IChannel> PublisherAsync(CancellationToken ct)
    {
        if (_publisher is { IsOpen: true } open) return open;
        if (_publisher is not null) await _publisher.DisposeAsync();
        var conn = await connection.GetAsync(ct);
        _publisher = await conn.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), ct);
        await _topology.DeclareProducerAsync(_publisher, options.Service, ct);
        return _publisher;
    }

    static BasicProperties Properties(EventEnvelope envelope, int attempt) => new()
    {
        Persistent = true,
        MessageId = envelope.Id.ToString(),
        ContentType = EventEnvelope.ContentType,
        Type = envelope.Type,
        Timestamp = new AmqpTimestamp(envelope.Time.ToUnixTimeSeconds()),
        Headers = new Dictionary<string, object?> { [Topology.AttemptHeader] = attempt },
    };

    public async Task StartConsumingAsync(ConsumerRegistration consumer, CancellationToken ct)
    {
        var conn = await connection.GetAsync(ct);
        var channel = _consumerChannel = await conn.CreateChannelAsync(cancellationToken: ct);
        var delays = Enumerable.Range(1, options.MaxAttempts).Select(options.RetryDelay).ToList();
        await _topology.DeclareConsumerAsync(channel, consumer, registry, delays, rabbit.QuorumQueues, ct);
        await channel.BasicQosAsync(0, options.Prefetch, global: false, ct);

        // Deliveries are queued here and handled in batches by one worker: one commit for all that has arrived.
        var inbound = Channel.CreateBounded<Received>(options.Prefetch);
        _inbound = inbound;
        _worker = Task.Run(() => WorkAsync(channel, consumer, inbound.Reader), CancellationToken.None);

        var receiver = new AsyncEventingBasicConsumer(channel);
        receiver.ReceivedAsync += async (_, delivery) =>
            // The body's memory belongs to the client only until this returns: keep a copy.
            await inbound.Writer.WriteAsync(new Received(delivery.DeliveryTag, delivery.Body.ToArray(), delivery.BasicProperties), CancellationToken.None);
        _consumerTag = await channel.BasicConsumeAsync(_topology.QueueOf(consumer.Service), autoAck: false, receiver, ct);
    }

    sealed record Received(ulong Tag, byte[] Body, IReadOnlyBasicProperties Properties)
    {
        public int Attempt => AttemptOf(Properties);
    }

    async Task WorkAsync(IChannel channel, ConsumerRegistration consumer, ChannelReader<Received> inbound)
    {
        var batch = new List<Received>(options.Prefetch);
        while (await inbound.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < options.Prefetch && inbound.TryRead(out var received)) batch.Add(received);

            ConsumeOutcome[]? outcomes = null;
            try
            {
                outcomes = await consumer.ConsumeAsync(batch.Select(r => new Delivery(r.Body, r.Attempt)).ToList(), CancellationToken.None);
            }
            catch (Exception e)
            {
                // Not even a dead letter could be written (the database is down?): each comes back after a delay, the attempt not counted.
                log.LogWarning(e, "{Service} could not settle {Count} deliveries; they come back after a delay", options.Service, batch.Count);
            }

            foreach (var (received, i) in batch.Select((r, i) => (r, i)))
            {
                try
                {
                    if (outcomes is null)
                        await ScheduleRetryAsync(consumer, received, received.Attempt, consumer.RetryDelay(received.Attempt));
                    else if (outcomes[i] == ConsumeOutcome.RetryLater)
                        await ScheduleRetryAsync(consumer, received, received.Attempt + 1, consumer.RetryDelay(received.Attempt));
                    // Acked only now, after the consumer's commit (or the retry copy's confirm). A tag from before a
                    // channel recovery is ignored by the client; the broker redelivers that message and the inbox skips it.
                    await channel.BasicAckAsync(received.Tag, multiple: false);
                }
                catch (Exception e)
                {
                    log.LogDebug(e, "Settling a delivery failed; the broker redelivers it");
                    try { await channel.BasicNackAsync(received.Tag, multiple: false, requeue: true); }
                    catch (Exception nackFailure) { log.LogDebug(nackFailure, "Nack failed; the broker redelivers after the channel closed"); }
                }
            }
        }
    }

    async Task ScheduleRetryAsync(ConsumerRegistration consumer, Received delivery, int nextAttempt, TimeSpan delay)
    {
        var ct = CancellationToken.None;
        await _publishGate.WaitAsync(ct);
        try
        {
            var channel = await PublisherAsync(ct);
            var properties = new BasicProperties(delivery.Properties)
            {
                Headers = new Dictionary<string, object?>(delivery.Properties.Headers ?? new Dictionary<string, object?>()) { [Topology.AttemptHeader] = nextAttempt },
            };
            await channel.BasicPublishAsync("", _topology.RetryQueueOf(consumer.Service, delay), mandatory: true, properties, delivery.Body, ct);
        }
        finally
        {
            _publishGate.Release();
        }
    }

    static int AttemptOf(IReadOnlyBasicProperties properties) =>
        properties.Headers?.TryGetValue(Topology.AttemptHeader, out var value) == true
            ? value switch { int i => i, long l => (int)l, byte[] b when int.TryParse(Encoding.UTF8.GetString(b), out var p) => p, _ => 1 }
            : 1;

    public async Task StopConsumingAsync(CancellationToken ct)
    {
        if (_consumerChannel is { IsOpen: true } channel && _consumerTag is not null)
        {
            try { await channel.BasicCancelAsync(_consumerTag, cancellationToken: ct); }
            catch (Exception e) { log.LogDebug(e, "Cancelling the consumer failed"); }
        }
        // Let the worker settle what it already holds; anything unacked goes back to the queue with the channel.
        _inbound?.Writer.TryComplete();
        if (_worker is not null) await _worker.WaitAsync(ct);
    }

    public async ValueTask DisposeAsync()
    {
        if (_consumerChannel is not null) await _consumerChannel.DisposeAsync();
        if (_publisher is not null) await _publisher.DisposeAsync();
    }
}
