using System.Diagnostics;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Ates.Bench.Ceilings;

/// <summary>The ceiling: the official client alone, publishing persistent messages with confirms in batches and consuming them with manual acks.</summary>
public static class RawRabbit
{
    public static async Task<Ceiling> PublishConsumeAsync(string uri, int count)
    {
        var factory = new ConnectionFactory { Uri = new Uri(uri) };
        await using var connection = await factory.CreateConnectionAsync();
        await using var publisher = await connection.CreateChannelAsync(new CreateChannelOptions(true, true));
        await using var consumerChannel = await connection.CreateChannelAsync();
        var queue = $"bench.raw.{Guid.NewGuid():N}";
        await publisher.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false,
            arguments: new Dictionary<string, object?> { ["x-queue-type"] = "quorum" });
        await consumerChannel.BasicQosAsync(0, 64, false);

        var received = 0;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var consumer = new AsyncEventingBasicConsumer(consumerChannel);
        consumer.ReceivedAsync += async (_, delivery) =>
        {
            await consumerChannel.BasicAckAsync(delivery.DeliveryTag, false);
            if (Interlocked.Increment(ref received) == count) done.TrySetResult();
        };
        await consumerChannel.BasicConsumeAsync(queue, autoAck: false, consumer);

        // A body the size of an aTES envelope.
        var body = new byte[600];
        var clock = Stopwatch.StartNew();
        for (var sent = 0; sent < count; sent += 200)
        {
            var confirms = new List<ValueTask>();
            for (var i = sent; i < Math.Min(count, sent + 200); i++)
                confirms.Add(publisher.BasicPublishAsync("", queue, true, new BasicProperties { Persistent = true }, body));
            foreach (var confirm in confirms) await confirm;
        }
        await done.Task.WaitAsync(TimeSpan.FromMinutes(5));
        clock.Stop();
        await publisher.QueueDeleteAsync(queue);
        return new Ceiling("raw RabbitMQ.Client (confirms, manual acks)", count, clock.Elapsed);
    }
}
