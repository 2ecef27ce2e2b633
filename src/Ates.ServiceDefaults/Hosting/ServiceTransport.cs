using Ates.Messaging;
using Ates.Messaging.Transports.Embedded;
using Microsoft.EntityFrameworkCore;

namespace Ates.ServiceDefaults.Hosting;

public static class ServiceTransport
{
    /// <summary>
    /// "embedded" (in-process; the one-process host passes the <paramref name="bus"/> all services share) or
    /// "rabbitmq:&lt;amqp uri&gt;" with exchanges and queues prefixed by <paramref name="rabbitNamespace"/>.
    /// </summary>
    public static MessagingBuilder<TDb> UseTransport<TDb>(this MessagingBuilder<TDb> messaging, string transport,
        string rabbitNamespace, EmbeddedBus? bus, string setting) where TDb : DbContext
    {
        if (transport == "embedded") return messaging.UseEmbedded(bus ?? new EmbeddedBus());
        if (transport.StartsWith("rabbitmq:", StringComparison.Ordinal))
            return messaging.UseRabbitMq(r => { r.Uri = transport["rabbitmq:".Length..]; r.Namespace = rabbitNamespace; });
        throw new InvalidOperationException($"{setting} must be 'embedded' or 'rabbitmq:<uri>', not '{transport}'.");
    }
}
