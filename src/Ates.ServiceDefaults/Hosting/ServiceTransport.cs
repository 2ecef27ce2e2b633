using Ates.Messaging;
using Ates.Messaging.Transports.Embedded;
using Microsoft.EntityFrameworkCore;

namespace Ates.ServiceDefaults.Hosting;

public static class ServiceTransport
{
    /// <summary>
    /// "embedded" (in-process; the one-process host passes the <paramref name="bus"/> all services share) or
    /// "rabbitmq:&lt;amqp uri&gt;" with exchanges and queues prefixed by the options' namespace and the consumer spread
    /// over their partition queues. <paramref name="section"/> names the configuration section in errors.
    /// </summary>
    public static MessagingBuilder<TDb> UseTransport<TDb>(this MessagingBuilder<TDb> messaging, ServiceOptions options, EmbeddedBus? bus,
        string section) where TDb : DbContext
    {
        if (options.Partitions is < 1 or > 256)
            throw new InvalidOperationException($"{section}:Partitions must be between 1 and 256, not {options.Partitions}.");
        var transport = options.Transport;
        if (transport == "embedded") return messaging.UseEmbedded(bus ?? new EmbeddedBus()).AddServiceHealth(rabbitMq: false);
        if (transport.StartsWith("rabbitmq:", StringComparison.Ordinal))
            return messaging.UseRabbitMq(r =>
            {
                r.Uri = transport["rabbitmq:".Length..];
                r.Namespace = options.RabbitNamespace;
                r.Partitions = options.Partitions;
            }).AddServiceHealth(rabbitMq: true);
        throw new InvalidOperationException($"{section}:Transport must be 'embedded' or 'rabbitmq:<uri>', not '{transport}'.");
    }
}
