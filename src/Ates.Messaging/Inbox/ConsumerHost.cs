using Ates.Messaging.Transports;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;

namespace Ates.Messaging.Inbox;

/// <summary>Attaches the service's consumer to the transport while the host runs.</summary>
public sealed class ConsumerHost<TDb>(IConsumerTransport transport, EventConsumer<TDb> consumer) : IHostedService
    where TDb : DbContext
{
    // A service that handles nothing (Auth) has no consumer to attach.
    public Task StartAsync(CancellationToken ct) =>
        consumer.Registration.EventTypes.Count == 0 ? Task.CompletedTask : transport.StartConsumingAsync(consumer.Registration, ct);

    public Task StopAsync(CancellationToken ct) =>
        consumer.Registration.EventTypes.Count == 0 ? Task.CompletedTask : transport.StopConsumingAsync(ct);
}
