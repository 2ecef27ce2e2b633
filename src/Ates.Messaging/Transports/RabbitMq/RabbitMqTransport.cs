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
/// Every message carries this service's broker login as its <c>user-id</c>, which the broker checks against the
/// connection's login; with a login of its own per service (<see cref="BrokerPermissions"/>) a consumer thereby knows
/// which service published each event, and takes it only from the producer the registry names.
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
    readonly string _login = rabbit.Login;

    /// <summary>The header that keeps who first published a message when this service publishes a copy of it (a retry).</summary>
    const string PublisherHeader = "x-ates-publisher";

    /// <summary>Only a login of the service's own says who published: on a shared one (guest) every service is the same user.</summary>
    bool OwnLogin => _login == options.Service;
    IChannel? _publisher;
    readonly Dictionary<int, PartitionState> _partitions = [];
    readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    IChannel? _consumerChannel;
    // Subscribing, unsubscribing and replacing the consumer channel take turns.
    readonly SemaphoreSlim _channelGate = new(1, 1);
    readonly CancellationTokenSource _stopping = new();
    ConsumerRegistration? _consumer;
    Channel<Received>? _inbound;
    Task? _worker;
    int _resubscriptions;

    public Task PublishAsync(IReadOnlyList<EventEnvelope> events, CancellationToken ct) =>
        PublishAsync(events, e => (_topology.ExchangeOf(options.Service), e.Type), ct);

    public async Task SendToConsumerAsync(string consumer, IReadOnlyList<EventEnvelope> events, CancellationToken ct)
    {
        try
        {
            // Through the consumer's hash exchange, so that each event reaches the partition its key belongs to.
            await PublishAsync(events, e => (_topology.PartitionExchangeOf(consumer), e.Type), ct);
        }
        catch (RabbitMQ.Client.Exceptions.PublishException e) when (e.IsReturn)
        {
            // Published mandatory: returned when the consumer's exchange has no queue.
            throw new UnknownConsumerException(consumer, e);
        }
        catch (RabbitMQ.Client.Exceptions.OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 404)
        {
            // The consumer never declared its exchange: the broker closed the channel (the next publish opens another).
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
                confirms.Add(channel.BasicPublishAsync(exchange, routingKey, mandatory: true, Properties(envelope), envelope.Encode(), ct));
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

    BasicProperties Properties(EventEnvelope envelope) => new()
    {
        Persistent = true,
        MessageId = envelope.Id.ToString(),
        ContentType = EventEnvelope.ContentType,
        Type = envelope.Type,
        UserId = _login,
        Timestamp = new AmqpTimestamp(envelope.Time.ToUnixTimeSeconds()),
        Headers = new Dictionary<string, object?> { [Topology.AttemptHeader] = 1, [Topology.PartitionKeyHeader] = envelope.PartitionKey },
    };

    /// <summary>A copy of a received message that this service publishes again: its user-id is ours, the first publisher kept.</summary>
    BasicProperties CopyOf(IReadOnlyBasicProperties received, int? attempt = null)
    {
        var headers = new Dictionary<string, object?>(received.Headers ?? new Dictionary<string, object?>());
        if (received.UserId != _login || !headers.ContainsKey(PublisherHeader)) headers[PublisherHeader] = received.UserId;
        if (attempt is { } next) headers[Topology.AttemptHeader] = next;
        return new BasicProperties(received) { UserId = _login, Headers = headers };
    }

    /// <summary>
    /// Which service published a received message, as the broker vouches for it; null on a shared login. A copy this
    /// service published itself names the first publisher in its header, which no other login could have set.
    /// </summary>
    string? PublisherOf(IReadOnlyBasicProperties properties)
    {
        if (!OwnLogin) return null;
        if (properties.UserId != _login) return properties.UserId ?? "";
        return properties.Headers?.TryGetValue(PublisherHeader, out var first) == true
            ? first switch { byte[] b => Encoding.UTF8.GetString(b), string text => text, _ => "" }
            : _login;
    }

    /// <summary>
    /// Declares on the broker everything this service's events and subscriptions need: its exchange, and as a consumer
    /// its exchanges, partition and delay queues and their bindings. Run before any service starts (a deployment step,
    /// <c>declare-topology</c>), it lets a producer's first event reach a consumer that has not started yet; starting a
    /// service declares the same again (declaring is idempotent).
    /// </summary>
    public async Task DeclareTopologyAsync(ConsumerRegistration consumer, CancellationToken ct)
    {
        var conn = await connection.GetAsync(ct);
        await _topology.EnsureProducerAsync(conn, options.Service, _login, ct);
        if (consumer.EventTypes.Count == 0) return;
        await EnsureProducersAsync(conn, consumer, ct);
        await using var channel = await conn.CreateChannelAsync(cancellationToken: ct);
        await _topology.DeclareConsumerAsync(channel, consumer, registry, RetryDelays, rabbit.Partitions, rabbit.QuorumQueues, rabbit.DeliveryLimit, ct);
    }

    /// <summary>The exchanges of the producers whose events the consumer takes, before it binds to them.</summary>
    async Task EnsureProducersAsync(IConnection conn, ConsumerRegistration consumer, CancellationToken ct)
    {
        foreach (var producer in consumer.EventTypes.Select(registry.ProducerOf).Distinct())
            await _topology.EnsureProducerAsync(conn, producer, _login, ct);
    }

    List<TimeSpan> RetryDelays => Enumerable.Range(1, options.MaxAttempts).Select(options.RetryDelay).ToList();

    public async Task StartConsumingAsync(ConsumerRegistration consumer, CancellationToken ct)
    {
        var conn = await connection.GetAsync(ct);
        await EnsureProducersAsync(conn, consumer, ct);
        _consumer = consumer;
        await OpenConsumerChannelAsync(conn, ct);
        await MoveSurplusPartitionsAsync(conn, consumer.Service, ct);

        // Deliveries of every partition this instance holds are queued here and handled in batches by one worker: one
        // commit for all that has arrived. Each partition's consumer holds at most Prefetch of them.
        var inbound = Channel.CreateUnbounded<Received>(new UnboundedChannelOptions { SingleReader = true });
        _inbound = inbound;
        _worker = Task.Run(() => WorkAsync(consumer, inbound.Reader), CancellationToken.None);
        _started.TrySetResult();
    }

    /// <summary>
    /// A channel for the partitions' consumers, with the consumer's topology declared on it. The client recovers it
    /// after a lost connection by itself, but not when the broker closes only this channel (a consumer timeout, an
    /// error on it): then this service opens another and subscribes its partitions again.
    /// </summary>
    async Task<IChannel> OpenConsumerChannelAsync(IConnection conn, CancellationToken ct)
    {
        var channel = await conn.CreateChannelAsync(cancellationToken: ct);
        await _topology.DeclareConsumerAsync(channel, _consumer!, registry, RetryDelays, rabbit.Partitions, rabbit.QuorumQueues, rabbit.DeliveryLimit, ct);
        await channel.BasicQosAsync(0, options.Prefetch, global: false, ct);
        if (_consumer!.ParkAsync is { } park)
            await channel.BasicConsumeAsync(_topology.DeadExchangeOf(_consumer.Service), autoAck: false, new BrokerDeadLetters(channel, park, log), ct);
        channel.ChannelShutdownAsync += (_, reason) =>
        {
            if (reason.Initiator != ShutdownInitiator.Application)
                Resubscribe(channel, $"the broker closed its channel ({reason.ReplyCode} {reason.ReplyText})");
            return Task.CompletedTask;
        };
        return _consumerChannel = channel;
    }

    /// <summary>How many times the broker closed the consumer channel or cancelled a partition's consumer and this service subscribed again.</summary>
    public int Resubscriptions => Volatile.Read(ref _resubscriptions);

    /// <summary>Whether the partitions' consumers are on an open channel (false while the connection or the channel recovers).</summary>
    public bool Consuming => _consumerChannel is { IsOpen: true };

    void Resubscribe(IChannel broken, string why) => _ = Task.Run(() => ResubscribeAsync(broken, why));

    /// <summary>
    /// After the broker closed the consumer channel or cancelled a partition's consumer (its queue deleted): a new
    /// channel, the topology declared again (so a deleted queue comes back) and every partition this instance holds
    /// subscribed again; tried until it works. What the old channel had delivered and not acked, the broker delivers
    /// again; the inbox skips what was committed.
    /// </summary>
    async Task ResubscribeAsync(IChannel broken, string why)
    {
        var ct = _stopping.Token;
        for (var attempt = 1; !ct.IsCancellationRequested; attempt++)
        {
            try
            {
                await _channelGate.WaitAsync(ct);
                try
                {
                    if (_consumerChannel != broken) return;
                    var conn = await connection.GetAsync(ct);
                    // A lost connection closes every channel; the client's own recovery brings this one back with its consumers.
                    if (!conn.IsOpen) return;
                    log.LogWarning("{Service}: {Why}; subscribing its {Count} partitions again", options.Service, why, Subscribed.Count);
                    try { await broken.DisposeAsync(); }
                    catch (Exception e) { log.LogDebug(e, "Disposing the closed consumer channel failed"); }
                    var channel = await OpenConsumerChannelAsync(conn, ct);
                    List<(int Partition, PartitionState State)> held;
                    lock (_partitions) held = _partitions.Select(p => (p.Key, p.Value)).ToList();
                    foreach (var (partition, state) in held)
                        state.Tag = await ConsumeAsync(channel, partition, state, ct);
                    Interlocked.Increment(ref _resubscriptions);
                    return;
                }
                finally
                {
                    _channelGate.Release();
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { return; }
            catch (Exception e)
            {
                log.LogWarning(e, "{Service}: subscribing again failed (attempt {Attempt}); trying again", options.Service, attempt);
                // The channel opened in the attempt, if it got that far, is the one to replace next.
                broken = _consumerChannel ?? broken;
            }
            try { await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(5000, 200 * attempt)), ct); }
            catch (OperationCanceledException) { return; }
        }
    }

    /// <summary>
    /// After the partition count was lowered: the queues beyond it are unbound (no new event reaches them) and what waits
    /// in them is published again through the hash exchange, which routes each to its partition now; then they are
    /// deleted. Moved events may be handled after newer ones of their key (the handlers accept any order); none is lost,
    /// since each is acked only after the broker confirmed its copy.
    /// </summary>
    async Task MoveSurplusPartitionsAsync(IConnection conn, string consumer, CancellationToken ct)
    {
        var hash = _topology.PartitionExchangeOf(consumer);
        for (var partition = rabbit.Partitions; ; partition++)
        {
            var queue = _topology.PartitionQueueOf(consumer, partition);
            var moved = 0;
            var deleted = false;
            // A delivery the broker has sent and the mover has not seen yet is counted neither as ready nor here; closing
            // the mover's channel puts it back. The queue is empty once a look on a fresh channel finds nothing ready.
            while (true)
            {
                // A passive declare of a missing queue closes its channel: each probe has one of its own.
                await using var channel = await conn.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), ct);
                QueueDeclareOk state;
                try { state = await channel.QueueDeclarePassiveAsync(queue, ct); }
                catch (RabbitMQ.Client.Exceptions.OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 404)
                {
                    if (moved == 0) return;
                    deleted = true; // another instance emptied and deleted it meanwhile
                    break;
                }
                // No new event reaches it.
                await channel.QueueUnbindAsync(queue, hash, Topology.PartitionWeight, cancellationToken: ct);
                if (state.MessageCount == 0)
                {
                    // Deleted only when nobody else holds a delivery of it unacked that could come back to it: another
                    // (older) instance that still consumes it is left to it, and the queue kept.
                    if (state.ConsumerCount == 0)
                    {
                        await channel.QueueDeleteAsync(queue, ifUnused: false, ifEmpty: false, cancellationToken: ct);
                        deleted = true;
                    }
                    break;
                }
                var (count, quiet) = await MoveWaitingAsync(channel, queue, hash, ct);
                moved += count;
                if (quiet) break;
            }
            log.LogWarning("{Service}: partition queue {Queue} is beyond the {Partitions} configured; {Moved} events were moved to the others{Outcome}",
                options.Service, queue, rabbit.Partitions, moved, deleted ? " and it was deleted" : "; another instance still consumes it, so it stays until a later start");
        }
    }

    /// <summary>
    /// Republishes through the hash exchange what waits in a queue beyond the partition count, one at a time, each acked
    /// after the broker confirmed its copy; until none is ready, or none came for ten seconds (another consumer has them).
    /// </summary>
    async Task<(int Moved, bool Quiet)> MoveWaitingAsync(IChannel channel, string queue, string hash, CancellationToken ct)
    {
        // A queue with a single active consumer serves no basic.get: consume it, one message at a time.
        await channel.BasicQosAsync(0, 1, global: false, ct);
        var waiting = Channel.CreateUnbounded<BasicDeliverEventArgs>();
        var mover = new AsyncEventingBasicConsumer(channel);
        mover.ReceivedAsync += (_, delivery) =>
        {
            waiting.Writer.TryWrite(new BasicDeliverEventArgs(delivery.ConsumerTag, delivery.DeliveryTag, delivery.Redelivered, delivery.Exchange,
                delivery.RoutingKey, delivery.BasicProperties, delivery.Body.ToArray(), ct));
            return Task.CompletedTask;
        };
        await channel.BasicConsumeAsync(queue, autoAck: false, mover, ct);
        var moved = 0;
        while ((await channel.QueueDeclarePassiveAsync(queue, ct)).MessageCount > 0 || waiting.Reader.Count > 0)
        {
            using var quiet = CancellationTokenSource.CreateLinkedTokenSource(ct);
            quiet.CancelAfter(TimeSpan.FromSeconds(10));
            BasicDeliverEventArgs message;
            try { message = await waiting.Reader.ReadAsync(quiet.Token); }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested) { return (moved, true); }
            await channel.BasicPublishAsync(hash, "", mandatory: true, CopyOf(message.BasicProperties), message.Body, ct);
            await channel.BasicAckAsync(message.DeliveryTag, multiple: false, ct);
            moved++;
        }
        return (moved, false);
    }

    /// <summary>The partition queues of this service's consumer; <see cref="Ates.Messaging.Partitions.PartitionCoordinator{TDb}"/> shares them among the instances.</summary>
    public int Partitions => rabbit.Partitions;

    /// <summary>The partitions this instance consumes now.</summary>
    public IReadOnlyCollection<int> Subscribed
    {
        get { lock (_partitions) return _partitions.Keys.ToList(); }
    }

    /// <summary>Starts consuming a partition queue (after <see cref="StartConsumingAsync"/>).</summary>
    public async Task SubscribeAsync(int partition, CancellationToken ct)
    {
        await _started.Task.WaitAsync(ct);
        await _channelGate.WaitAsync(ct);
        try
        {
            var state = new PartitionState();
            lock (_partitions)
            {
                if (!_partitions.TryAdd(partition, state)) return;
            }
            try
            {
                state.Tag = await ConsumeAsync(_consumerChannel!, partition, state, ct);
            }
            catch
            {
                lock (_partitions) _partitions.Remove(partition);
                throw;
            }
        }
        finally
        {
            _channelGate.Release();
        }
    }

    Task<string> ConsumeAsync(IChannel channel, int partition, PartitionState state, CancellationToken ct) =>
        channel.BasicConsumeAsync(_topology.PartitionQueueOf(_consumer!.Service, partition), autoAck: false,
            new PartitionConsumer(channel, partition, state, this), ct);

    /// <summary>
    /// Hands each delivery of a partition to the worker; when the broker cancels it (its queue was deleted), the
    /// service subscribes again.
    /// </summary>
    sealed class PartitionConsumer(IChannel channel, int partition, PartitionState state, RabbitMqTransport transport) : AsyncDefaultBasicConsumer(channel)
    {
        public override Task HandleBasicDeliverAsync(string consumerTag, ulong deliveryTag, bool redelivered, string exchange, string routingKey,
            IReadOnlyBasicProperties properties, ReadOnlyMemory<byte> body, CancellationToken cancellationToken = default)
        {
            state.Received();
            // The body's memory belongs to the client only until this returns: keep a copy.
            transport._inbound!.Writer.TryWrite(new Received(Channel, state, deliveryTag, body.ToArray(), properties));
            return Task.CompletedTask;
        }

        /// <summary>Called for a cancel the broker sent, not for one this service asked for.</summary>
        public override async Task HandleBasicCancelAsync(string consumerTag, CancellationToken cancellationToken = default)
        {
            await base.HandleBasicCancelAsync(consumerTag, cancellationToken);
            transport.Resubscribe(Channel, $"the broker cancelled the consumer of partition {partition}");
        }
    }

    /// <summary>
    /// Takes what the broker dead-lettered (a message delivered <see cref="RabbitMqOptions.DeliveryLimit"/> times and
    /// never acked) into the service's dead letters, with the reason, where the ops page lists, retries and discards it.
    /// Acked only once parked; if parking fails (the database is down), it goes back to the queue after a pause. The
    /// parking runs beside the client's dispatch loop, which the partitions' deliveries share.
    /// </summary>
    sealed class BrokerDeadLetters(IChannel channel, Func<ReadOnlyMemory<byte>, string, CancellationToken, Task> park, ILogger log)
        : AsyncDefaultBasicConsumer(channel)
    {
        public override Task HandleBasicDeliverAsync(string consumerTag, ulong deliveryTag, bool redelivered, string exchange, string routingKey,
            IReadOnlyBasicProperties properties, ReadOnlyMemory<byte> body, CancellationToken cancellationToken = default)
        {
            // The body's memory belongs to the client only until this returns.
            var copy = body.ToArray();
            var reason = ReasonOf(properties);
            _ = Task.Run(() => ParkAsync(deliveryTag, copy, reason), CancellationToken.None);
            return Task.CompletedTask;
        }

        async Task ParkAsync(ulong deliveryTag, byte[] body, string reason)
        {
            try
            {
                await park(body, reason, CancellationToken.None);
                await Channel.BasicAckAsync(deliveryTag, multiple: false, CancellationToken.None);
            }
            catch (Exception e)
            {
                log.LogWarning(e, "Parking a message the broker dead-lettered failed; it goes back to its queue");
                await Task.Delay(TimeSpan.FromSeconds(1), CancellationToken.None);
                try { await Channel.BasicNackAsync(deliveryTag, multiple: false, requeue: true, CancellationToken.None); }
                catch (Exception nack) { log.LogDebug(nack, "Nack failed; the broker returns it when the channel closes"); }
            }
        }

        /// <summary>From the broker's x-death header: why, from which queue, after how many deliveries.</summary>
        static string ReasonOf(IReadOnlyBasicProperties properties)
        {
            static string Text(object? value) => value switch { byte[] b => Encoding.UTF8.GetString(b), null => "", _ => value.ToString() ?? "" };
            var deliveries = properties.Headers?.TryGetValue("x-delivery-count", out var count) == true ? Text(count) : "?";
            if (properties.Headers?.TryGetValue("x-death", out var deaths) == true && deaths is IList<object?> { Count: > 0 } list
                && list[0] is IDictionary<string, object?> death)
            {
                var why = Text(death.TryGetValue("reason", out var r) ? r : null);
                var queue = Text(death.TryGetValue("queue", out var q) ? q : null);
                return why == "delivery_limit"
                    ? $"The broker gave up on it after {deliveries} deliveries from {queue} without an ack (its delivery limit): the consumer crashed or stopped on it each time."
                    : $"The broker dead-lettered it from {queue}: {why}.";
            }
            return "The broker dead-lettered it (no x-death header says why).";
        }
    }

    /// <summary>
    /// Stops consuming a partition and returns once every delivery of it already received is settled (acked after its
    /// commit), so that the instance that takes the partition next starts after this one's last commit.
    /// </summary>
    public async Task UnsubscribeAsync(int partition, CancellationToken ct)
    {
        PartitionState? state;
        await _channelGate.WaitAsync(ct);
        try
        {
            lock (_partitions) _partitions.Remove(partition, out state);
            if (state is null) return;
            if (_consumerChannel is { IsOpen: true } channel && state.Tag is { } tag)
            {
                try { await channel.BasicCancelAsync(tag, cancellationToken: ct); }
                catch (Exception e) { log.LogDebug(e, "Cancelling the consumer of partition {Partition} failed", partition); }
            }
        }
        finally
        {
            _channelGate.Release();
        }
        // A closed channel has returned the unsettled deliveries to the queue already; acks of them are ignored.
        await state.DrainedAsync(ct);
    }

    /// <summary>A delivery, with the channel it came on: its tag is acked there, whatever channel consumes now.</summary>
    sealed record Received(IChannel Channel, PartitionState State, ulong Tag, byte[] Body, IReadOnlyBasicProperties Properties)
    {
        public int Attempt => AttemptOf(Properties);
    }

    /// <summary>A subscribed partition: its consumer tag and how many of its deliveries are not settled yet.</summary>
    sealed class PartitionState
    {
        int _unsettled;
        TaskCompletionSource? _drained;

        public string? Tag { get; set; }

        public void Received()
        {
            lock (this) _unsettled++;
        }

        public void Settled()
        {
            lock (this)
            {
                if (--_unsettled == 0) _drained?.TrySetResult();
            }
        }

        public Task DrainedAsync(CancellationToken ct)
        {
            lock (this)
            {
                if (_unsettled == 0) return Task.CompletedTask;
                _drained ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                return _drained.Task.WaitAsync(ct);
            }
        }
    }

    async Task WorkAsync(ConsumerRegistration consumer, ChannelReader<Received> inbound)
    {
        var batch = new List<Received>(options.Prefetch);
        while (true)
        {
            // Deliveries already waiting: the worker is behind and takes them at once.
            var ready = inbound.WaitToReadAsync();
            var waited = !ready.IsCompleted;
            if (!await ready) break;
            batch.Clear();
            while (batch.Count < options.Prefetch && inbound.TryRead(out var received)) batch.Add(received);
            // Woken from idle with less than a full batch: the next deliveries gather for a moment and come in the same transaction.
            if (waited && batch.Count < options.Prefetch && options.DeliveryLinger > TimeSpan.Zero)
            {
                await Task.Delay(options.DeliveryLinger);
                while (batch.Count < options.Prefetch && inbound.TryRead(out var received)) batch.Add(received);
            }

            ConsumeOutcome[]? outcomes = null;
            try
            {
                outcomes = await consumer.ConsumeAsync(batch.Select(r => new Delivery(r.Body, r.Attempt, PublisherOf(r.Properties))).ToList(), CancellationToken.None);
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
                    await received.Channel.BasicAckAsync(received.Tag, multiple: false);
                }
                catch (Exception e)
                {
                    log.LogDebug(e, "Settling a delivery failed; the broker redelivers it");
                    try { await received.Channel.BasicNackAsync(received.Tag, multiple: false, requeue: true); }
                    catch (Exception nackFailure) { log.LogDebug(nackFailure, "Nack failed; the broker redelivers after the channel closed"); }
                }
                finally
                {
                    received.State.Settled();
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
            await channel.BasicPublishAsync("", _topology.DelayQueueOf(consumer.Service, delay), mandatory: true, CopyOf(delivery.Properties, nextAttempt), delivery.Body, ct);
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
        await _stopping.CancelAsync();
        foreach (var partition in Subscribed) await UnsubscribeAsync(partition, ct);
        // Let the worker settle what it already holds; anything unacked goes back to the queue with the channel.
        _inbound?.Writer.TryComplete();
        if (_worker is not null) await _worker.WaitAsync(ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        if (_consumerChannel is not null) await _consumerChannel.DisposeAsync();
        if (_publisher is not null) await _publisher.DisposeAsync();
    }
}
