using System.Diagnostics;
using System.Text;
using Ates.LocalServers;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;

namespace Ates.Testing.Tests;

public sealed class RabbitMqServerTests(RabbitMqFixture fixture, ITestOutputHelper output)
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    static Task<IConnection> ConnectAsync(string uri) =>
        new ConnectionFactory { Uri = new Uri(uri), AutomaticRecoveryEnabled = false }.CreateConnectionAsync(Ct);

    static Task<IChannel> ConfirmChannelAsync(IConnection connection) =>
        connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), Ct);

    static async Task PublishPersistentAsync(IChannel channel, string queue, string body)
    {
        // With confirmation tracking on, the await completes when the broker has confirmed the message
        // (and throws if it was nacked or returned).
        await channel.BasicPublishAsync(
            exchange: "", routingKey: queue, mandatory: true,
            basicProperties: new BasicProperties { Persistent = true }, body: Encoding.UTF8.GetBytes(body), cancellationToken: Ct);
    }

    [Fact]
    public async Task Fixture_node_round_trips_a_confirmed_persistent_message()
    {
        output.WriteLine($"{fixture.Server}: started in {fixture.Server.LastStartupTime.TotalMilliseconds:0} ms");
        Assert.StartsWith("amqp://guest:guest@127.0.0.1:", fixture.AmqpUri);

        await using var connection = await ConnectAsync(fixture.AmqpUri);
        await using var channel = await ConfirmChannelAsync(connection);
        var queue = (await channel.QueueDeclareAsync($"roundtrip-{Guid.NewGuid():N}", durable: true, exclusive: false, autoDelete: false, cancellationToken: Ct)).QueueName;

        var received = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += async (_, delivery) =>
        {
            received.TrySetResult(Encoding.UTF8.GetString(delivery.Body.Span) + (delivery.BasicProperties.Persistent ? " (persistent)" : ""));
            await channel.BasicAckAsync(delivery.DeliveryTag, multiple: false);
        };
        await channel.BasicConsumeAsync(queue, autoAck: false, consumer, Ct);

        await PublishPersistentAsync(channel, queue, "hello");

        Assert.Equal("hello (persistent)", await received.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct));
    }

    [Fact]
    public async Task Durable_queue_and_persistent_message_survive_stop_and_StartAgain()
    {
        await using var server = await RabbitMqServer.StartAsync(Ct);
        output.WriteLine($"{server}: started in {server.LastStartupTime.TotalMilliseconds:0} ms");
        var port = server.Port;

        await using (var connection = await ConnectAsync(server.AmqpUri))
        await using (var channel = await ConfirmChannelAsync(connection))
        {
            await channel.QueueDeclareAsync("orders", durable: true, exclusive: false, autoDelete: false, cancellationToken: Ct);
            await PublishPersistentAsync(channel, "orders", "survives a restart");
        }

        var sw = Stopwatch.StartNew();
        await server.StopAsync();
        output.WriteLine($"graceful stop took {sw.ElapsedMilliseconds} ms");
        Assert.False(server.IsRunning);
        await Assert.ThrowsAnyAsync<Exception>(() => ConnectAsync(server.AmqpUri));

        await server.StartAgainAsync(Ct);
        output.WriteLine($"StartAgainAsync: started in {server.LastStartupTime.TotalMilliseconds:0} ms");
        Assert.Equal(port, server.Port);

        await using (var connection = await ConnectAsync(server.AmqpUri))
        await using (var channel = await connection.CreateChannelAsync(cancellationToken: Ct))
        {
            var message = await channel.BasicGetAsync("orders", autoAck: true, Ct);
            Assert.NotNull(message);
            Assert.Equal("survives a restart", Encoding.UTF8.GetString(message.Body.Span));
        }
    }

    [Fact]
    public async Task Confirmed_message_survives_a_broker_crash()
    {
        await using var server = await RabbitMqServer.StartAsync(Ct);
        output.WriteLine($"{server}: started in {server.LastStartupTime.TotalMilliseconds:0} ms");

        await using (var connection = await ConnectAsync(server.AmqpUri))
        await using (var channel = await ConfirmChannelAsync(connection))
        {
            await channel.QueueDeclareAsync("crash", durable: true, exclusive: false, autoDelete: false, cancellationToken: Ct);
            await PublishPersistentAsync(channel, "crash", "confirmed before the crash");
        }

        // Without this, the crash may also take the queue declaration with it (Mnesia writes its log
        // lazily); this test is about the confirmed message, so make the topology durable first.
        var sync = Stopwatch.StartNew();
        await server.SyncMetadataAsync();
        output.WriteLine($"SyncMetadataAsync took {sync.ElapsedMilliseconds} ms");
        var beam = server.ProcessId!.Value;
        await server.KillAsync();
        Assert.False(Directory.Exists($"/proc/{beam}"), "beam.smp should be gone after KillAsync");

        await server.StartAgainAsync(Ct);
        output.WriteLine($"StartAgainAsync after SIGKILL: started in {server.LastStartupTime.TotalMilliseconds:0} ms");
        try
        {
            await using var connection = await ConnectAsync(server.AmqpUri);
            await using var channel = await connection.CreateChannelAsync(cancellationToken: Ct);
            var message = await channel.BasicGetAsync("crash", autoAck: true, Ct);
            Assert.NotNull(message);
            Assert.Equal("confirmed before the crash", Encoding.UTF8.GetString(message.Body.Span));
        }
        catch
        {
            output.WriteLine(server.LogTail(150));
            throw;
        }
    }

    [Fact]
    public async Task Two_nodes_run_at_once_independently_and_dispose_leaves_nothing_behind()
    {
        var sw = Stopwatch.StartNew();
        var starting = new[] { RabbitMqServer.StartAsync(Ct), RabbitMqServer.StartAsync(Ct) };
        var servers = await Task.WhenAll(starting);
        output.WriteLine($"two nodes started concurrently in {sw.ElapsedMilliseconds} ms " +
                         $"({servers[0].LastStartupTime.TotalMilliseconds:0} ms and {servers[1].LastStartupTime.TotalMilliseconds:0} ms each)");
        var (a, b) = (servers[0], servers[1]);
        var pids = new[] { a.ProcessId!.Value, a.EpmdProcessId!.Value, b.ProcessId!.Value, b.EpmdProcessId!.Value };
        try
        {
            Assert.NotEqual(a.Port, b.Port);
            Assert.NotEqual(a.NodeName, b.NodeName);
            Assert.NotEqual(a.DataDir, b.DataDir);
            // Each node has its own cookie, so each CLI call reaches exactly its own node.
            Assert.Contains(a.NodeName, await a.CtlAsync("status"));

            await using (var connection = await ConnectAsync(a.AmqpUri))
            await using (var channel = await connection.CreateChannelAsync(cancellationToken: Ct))
                await channel.QueueDeclareAsync("only-on-a", durable: false, exclusive: false, autoDelete: false, cancellationToken: Ct);

            await using (var connection = await ConnectAsync(b.AmqpUri))
            await using (var channel = await connection.CreateChannelAsync(cancellationToken: Ct))
                await Assert.ThrowsAsync<OperationInterruptedException>(() => channel.QueueDeclarePassiveAsync("only-on-a", Ct));
        }
        finally
        {
            await a.DisposeAsync();
            await b.DisposeAsync();
        }

        foreach (var pid in pids) Assert.False(Directory.Exists($"/proc/{pid}"), $"process {pid} should be gone");
        Assert.False(Directory.Exists(a.DataDir));
        Assert.False(Directory.Exists(b.DataDir));
    }

    [Fact]
    public async Task Node_runs_in_its_own_process_group_with_private_ports()
    {
        var pid = fixture.Server.ProcessId!.Value;
        var stat = await File.ReadAllTextAsync($"/proc/{pid}/stat", Ct);
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        Assert.Equal(pid.ToString(), fields[2]); // pgrp == pid: setsid made it a group leader, and the pid is beam's own
        Assert.Equal("beam.smp", (await File.ReadAllTextAsync($"/proc/{pid}/comm", Ct)).Trim());
        var environ = (await File.ReadAllTextAsync($"/proc/{pid}/environ", Ct)).Split('\0');
        Assert.Contains($"HOME={fixture.Server.DataDir}", environ);
        Assert.Contains(environ, e => e.StartsWith("ERL_EPMD_PORT=", StringComparison.Ordinal) && e != "ERL_EPMD_PORT=4369");
    }
}
