using System.Text;
using Ates.Messaging.Envelope;
using Ates.LocalServers;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using Wolverine;
using Wolverine.RabbitMQ;

namespace Ates.Bench.Wolverine;

/// <summary>
/// What Wolverine puts on the wire with its CloudEvents interop: one task.created-shaped message published to a
/// RabbitMQ queue with aTES's two extension attributes given as headers (and the key as group id and partition key),
/// read back raw with RabbitMQ.Client, so the decision record quotes the body rather than guesses it.
/// </summary>
public static class CloudEventsProbe
{
    public static async Task<string> PublishOneAsync(RabbitMqServer rabbit)
    {
        var queue = $"bench.cloudevents.{Guid.NewGuid():N}"[..30];
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.UseWolverine(o =>
        {
            o.ServiceName = "tasks";
            o.Discovery.DisableConventionalDiscovery();
            o.UseRabbitMq(new Uri(rabbit.AmqpUri)).AutoProvision();
            o.PublishMessage<TaskCreatedMessage>().ToRabbitQueue(queue).InteropWithCloudEvents();
        });
        using var host = builder.Build();
        await host.StartAsync();

        var taskId = Guid.NewGuid();
        var options = new DeliveryOptions { GroupId = taskId.ToString(), PartitionKey = taskId.ToString() }
            .WithHeader("sequence", "42")
            .WithHeader("partitionkey", taskId.ToString());
        await host.MessageBus().PublishAsync(new TaskCreatedMessage(taskId, "task 1", null, "made by the messaging benchmark", 2, "tasks",
            taskId.ToString(), DateTimeOffset.UtcNow), options);

        var factory = new ConnectionFactory { Uri = new Uri(rabbit.AmqpUri) };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        try
        {
            for (var attempt = 0; attempt < 100; attempt++)
            {
                var got = await channel.BasicGetAsync(queue, autoAck: true);
                if (got is not null)
                {
                    var headers = string.Join(", ", (got.BasicProperties.Headers ?? new Dictionary<string, object?>())
                        .Select(h => $"{h.Key}={(h.Value is byte[] b ? Encoding.UTF8.GetString(b) : h.Value)}"));
                    return $"AMQP headers: {headers}\nbody ({got.Body.Length} bytes): {Encoding.UTF8.GetString(got.Body.Span)}\n" +
                           $"aTES's EventEnvelope.Decode: {Decode(got.Body.ToArray())}";
                }
                await Task.Delay(50);
            }
            return "nothing arrived within 5 s";
        }
        finally
        {
            await host.StopAsync();
        }
    }

    static string Decode(byte[] body)
    {
        try
        {
            var envelope = EventEnvelope.Decode(body);
            return $"accepted (sequence {envelope.Sequence}, partition key {envelope.PartitionKey})";
        }
        catch (MalformedEnvelopeException e)
        {
            return $"refused: {e.Message}";
        }
    }
}
