using Ates.Messaging.Inbox;
using Ates.Messaging.Transports.RabbitMq;
using Microsoft.Extensions.DependencyInjection;

namespace Ates.ServiceDefaults.Hosting;

/// <summary>
/// <c>dotnet Ates.&lt;Service&gt;.dll declare-topology</c>: declares this service's exchange, queues and bindings on the
/// broker and exits, with the service's own settings and broker login. Run for every service before any of them
/// starts (tools/Ates.Topology does), so that no consumer misses an event for want of its queue, whichever service
/// starts first. Starting the service declares the same again.
/// </summary>
public static class DeclareTopologyCommand
{
    public static bool IsRequested(string[] args) => args is ["declare-topology", ..];

    public static async Task<int> RunAsync(IServiceProvider services, TextWriter output)
    {
        if (services.GetService<RabbitMqTransport>() is not { } transport)
        {
            await output.WriteLineAsync("declare-topology: the transport is not RabbitMQ; there is nothing to declare.");
            return 2;
        }
        var consumer = services.GetRequiredService<IConsumerRegistration>().Registration;
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await transport.DeclareTopologyAsync(consumer, stop.Token);
        await output.WriteLineAsync(consumer.EventTypes.Count == 0
            ? $"declare-topology: {consumer.Service}'s exchange is declared."
            : $"declare-topology: {consumer.Service}'s exchange, queues and bindings for {string.Join(", ", consumer.EventTypes.Order())} are declared.");
        return 0;
    }
}
