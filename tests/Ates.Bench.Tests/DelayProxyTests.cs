using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Ates.Topology;

namespace Ates.Bench.Tests;

public sealed class DelayProxyTests
{
    [Theory]
    [InlineData(1.0)]
    [InlineData(5.0)]
    public async Task A_round_trip_through_the_proxy_takes_at_least_twice_the_delay(double delayMs)
    {
        var ct = TestContext.Current.CancellationToken;
        var delay = TimeSpan.FromMilliseconds(delayMs);
        await using var echo = EchoServer.Start();
        await using var proxy = await DelayProxy.StartAsync("127.0.0.1", echo.Port, delay, ct);
        const int trips = 200;

        var direct = await RoundTripsAsync(echo.Port, trips, ct);
        var proxied = await RoundTripsAsync(proxy.Port, trips, ct);

        Assert.All(proxied, t => Assert.True(t >= 2 * delay, $"a round trip took {t.TotalMilliseconds:F3} ms, less than twice {delayMs} ms"));
        // The figures for the report: no upper bound asserted, the machine is shared and noisy.
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"delay {delayMs} ms each way, {trips} round trips of 64 bytes: direct p50 {Ms(direct, 0.5)} / p99 {Ms(direct, 0.99)} ms; " +
            $"through the proxy p50 {Ms(proxied, 0.5)} / p90 {Ms(proxied, 0.9)} / p99 {Ms(proxied, 0.99)} / max {Ms(proxied, 1)} ms, " +
            $"added over 2 × delay p50 {(Quantile(proxied, 0.5) - 2 * delay).TotalMicroseconds:F0} µs");
    }

    [Fact]
    public async Task Megabytes_arrive_intact_and_in_order_past_a_lagging_reader_and_the_end_of_the_stream_passes_both_ways()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var echo = EchoServer.Start();
        await using var proxy = await DelayProxy.StartAsync("127.0.0.1", echo.Port, TimeSpan.FromMilliseconds(1), ct);
        // Counting words: a lost, doubled or reordered chunk shows as a word out of sequence.
        var sent = new byte[4 << 20];
        for (var i = 0; i < sent.Length / 4; i++) BinaryPrimitives.WriteInt32LittleEndian(sent.AsSpan(i * 4), i);
        // A small receive buffer and a late start: the proxy's sends to the client, then the echo's, must wait.
        using var client = await ConnectAsync(proxy.Port, ct, receiveBuffer: 8 * 1024);

        var sending = Task.Run(async () =>
        {
            // Odd write sizes, so that chunks do not line up with words.
            for (var offset = 0; offset < sent.Length;)
            {
                var size = Math.Min(sent.Length - offset, Random.Shared.Next(1, 7_000));
                offset += await client.SendAsync(sent.AsMemory(offset, size), SocketFlags.None, ct);
            }
            client.Shutdown(SocketShutdown.Send);
        }, ct);
        await Task.Delay(300, ct);
        var received = new MemoryStream();
        var buffer = new byte[64 * 1024];
        for (int read; (read = await client.ReceiveAsync(buffer, SocketFlags.None, ct)) > 0;) received.Write(buffer, 0, read);
        await sending;

        var back = received.ToArray();
        Assert.Equal(sent.Length, back.Length);
        var mismatch = sent.AsSpan().CommonPrefixLength(back);
        Assert.True(mismatch == sent.Length, $"the bytes differ from offset {mismatch}");
    }

    [Fact]
    public async Task A_target_that_does_not_answer_closes_the_connection_and_disposing_the_proxy_ends_the_open_ones()
    {
        var ct = TestContext.Current.CancellationToken;
        var nobody = Ates.LocalServers.FreePort.Next();
        await using (var refused = await DelayProxy.StartAsync("127.0.0.1", nobody, TimeSpan.FromMilliseconds(1), ct))
        {
            // The proxy may end it before the client's connect has even completed: a reset then is that same end.
            Socket? client = null;
            try { client = await ConnectAsync(refused.Port, ct); }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset) { }
            using (client)
                if (client is not null) Assert.True(await EndsAsync(client, ct), "the connection should end when the target refuses");
        }

        await using var echo = EchoServer.Start();
        var proxy = await DelayProxy.StartAsync("127.0.0.1", echo.Port, TimeSpan.FromMilliseconds(1), ct);
        using var open = await ConnectAsync(proxy.Port, ct);
        await open.SendAsync(new byte[] { 1, 2, 3 }, SocketFlags.None, ct);
        var echoed = new byte[3];
        Assert.Equal(3, await open.ReceiveAsync(echoed, SocketFlags.None, ct));

        var disposing = Stopwatch.StartNew();
        await proxy.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10), ct);
        Assert.True(disposing.Elapsed < TimeSpan.FromSeconds(10));
        Assert.True(await EndsAsync(open, ct), "the open connection should end with the proxy");
        await Assert.ThrowsAnyAsync<SocketException>(() => ConnectAsync(proxy.Port, ct));
    }

    static async Task<List<TimeSpan>> RoundTripsAsync(int port, int count, CancellationToken ct)
    {
        using var client = await ConnectAsync(port, ct);
        var request = new byte[64];
        var response = new byte[64];
        var trips = new List<TimeSpan>(count);
        for (var i = 0; i < count; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await client.SendAsync(request, SocketFlags.None, ct);
            for (var got = 0; got < response.Length;)
            {
                var read = await client.ReceiveAsync(response.AsMemory(got), SocketFlags.None, ct);
                Assert.True(read > 0, "the echo ended early");
                got += read;
            }
            trips.Add(Stopwatch.GetElapsedTime(started));
        }
        trips.Sort();
        return trips;
    }

    static TimeSpan Quantile(List<TimeSpan> sorted, double q) => sorted[Math.Min(sorted.Count - 1, (int)(q * sorted.Count))];

    static string Ms(List<TimeSpan> sorted, double q) => Quantile(sorted, q).TotalMilliseconds.ToString("F3", System.Globalization.CultureInfo.InvariantCulture);

    static async Task<Socket> ConnectAsync(int port, CancellationToken ct, int? receiveBuffer = null)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        if (receiveBuffer is { } size) socket.ReceiveBufferSize = size;
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), ct);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>True when the peer ends the connection (end of stream or reset) within a few seconds.</summary>
    static async Task<bool> EndsAsync(Socket socket, CancellationToken ct)
    {
        using var patience = CancellationTokenSource.CreateLinkedTokenSource(ct);
        patience.CancelAfter(TimeSpan.FromSeconds(10));
        var buffer = new byte[1024];
        try
        {
            while (await socket.ReceiveAsync(buffer, SocketFlags.None, patience.Token) > 0) { }
            return true;
        }
        catch (SocketException) { return true; }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested) { return false; }
    }

    /// <summary>Sends back whatever it reads; ends its side when the client ends its own.</summary>
    sealed class EchoServer : IAsyncDisposable
    {
        readonly TcpListener _listener;
        readonly CancellationTokenSource _stop = new();
        readonly Task _accepting;

        EchoServer()
        {
            _listener = new TcpListener(IPAddress.Loopback, 0);
            _listener.Start();
            _accepting = AcceptAsync();
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public static EchoServer Start() => new();

        async Task AcceptAsync()
        {
            var connections = new List<Task>();
            try
            {
                while (true) connections.Add(EchoAsync(await _listener.AcceptSocketAsync(_stop.Token)));
            }
            catch (OperationCanceledException) { }
            await Task.WhenAll(connections);
        }

        async Task EchoAsync(Socket socket)
        {
            using (socket)
            {
                socket.NoDelay = true;
                var buffer = new byte[64 * 1024];
                try
                {
                    for (int read; (read = await socket.ReceiveAsync(buffer, SocketFlags.None, _stop.Token)) > 0;)
                        for (var sent = 0; sent < read;) sent += await socket.SendAsync(buffer.AsMemory(sent, read - sent), SocketFlags.None, _stop.Token);
                    socket.Shutdown(SocketShutdown.Send);
                }
                catch (Exception e) when (e is SocketException or OperationCanceledException) { }
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            await _accepting;
            _stop.Dispose();
        }
    }
}
