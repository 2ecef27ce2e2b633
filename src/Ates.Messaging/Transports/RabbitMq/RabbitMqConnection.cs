using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Ates.Messaging.Transports.RabbitMq;

/// <summary>
/// One recovering connection per service. After the first connect the client recovers connection, channels, topology and consumers by itself.
/// </summary>
public sealed class RabbitMqConnection(RabbitMqOptions options, MessagingOptions messaging, ILogger<RabbitMqConnection> log) : IAsyncDisposable
{
    readonly SemaphoreSlim _gate = new(1, 1);
    IConnection? _connection;

    // The first connection is retried until the broker answers (it may start after the service).
    readonly ResiliencePipeline _reconnect = new ResiliencePipelineBuilder()
        .AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = new PredicateBuilder().Handle<BrokerUnreachableException>().Handle<System.Net.Sockets.SocketException>(),
            MaxRetryAttempts = int.MaxValue,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = TimeSpan.FromMilliseconds(200),
            MaxDelay = TimeSpan.FromSeconds(5),
            OnRetry = retry =>
            {
                log.LogWarning("RabbitMQ at {Uri} is unreachable (attempt {Attempt}); trying again", options.UriForLogs, retry.AttemptNumber + 1);
                return ValueTask.CompletedTask;
            },
        })
        .Build();

    public async Task<IConnection> GetAsync(CancellationToken ct)
    {
        if (_connection is { } open) return open;
        await _gate.WaitAsync(ct);
        try
        {
            if (_connection is { } raced) return raced;
            var factory = new ConnectionFactory
            {
                Uri = new Uri(options.Uri),
                AutomaticRecoveryEnabled = true,
                TopologyRecoveryEnabled = true,
                NetworkRecoveryInterval = TimeSpan.FromSeconds(1),
                ClientProvidedName = $"ates.{messaging.Service}",
                ConsumerDispatchConcurrency = 1,
            };
            return _connection = await _reconnect.ExecuteAsync(async token => await factory.CreateConnectionAsync(token), ct);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is { } connection)
        {
            try { await connection.CloseAsync(); } catch (Exception e) { log.LogDebug(e, "Closing the RabbitMQ connection failed"); }
            connection.Dispose();
        }
    }
}
