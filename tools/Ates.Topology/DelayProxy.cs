using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Threading.Channels;

namespace Ates.Topology;

/// <summary>
/// A TCP proxy on 127.0.0.1 that holds every chunk of bytes back by a fixed delay in each direction, keeping their
/// order: a database or a broker a network hop away, on one machine. Each accepted connection gets its own connection
/// to the target; when one side ends its stream, the proxy ends the other side's (half-close), and a connection that
/// fails on one side is reset on both.
/// </summary>
public sealed class DelayProxy : IAsyncDisposable
{
    // A chunk is what one read returned; a direction holds at most this many in flight, so a slow reader on one side
    // holds the other side back instead of the proxy's memory growing (64 × 16 KiB per delay: ample for a database).
    const int ChunkSize = 16 * 1024;
    const int ChunksInFlight = 64;

    readonly Socket _listener;
    readonly IPEndPoint _target;
    readonly DelayLine _line;
    readonly CancellationTokenSource _stopping = new();
    readonly HashSet<Task> _connections = [];
    Task _accepting = Task.CompletedTask;
    int _disposed;

    DelayProxy(Socket listener, IPEndPoint target, TimeSpan delayEachWay)
    {
        (_listener, _target, DelayEachWay) = (listener, target, delayEachWay);
        Port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        _line = new DelayLine(delayEachWay);
    }

    /// <summary>The proxy's port on 127.0.0.1.</summary>
    public int Port { get; }

    public TimeSpan DelayEachWay { get; }

    /// <summary>Listens on a free loopback port and forwards every connection to <paramref name="targetHost"/>:<paramref name="targetPort"/>.</summary>
    public static async Task<DelayProxy> StartAsync(string targetHost, int targetPort, TimeSpan delayEachWay, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delayEachWay, TimeSpan.Zero);
        var addresses = await Dns.GetHostAddressesAsync(targetHost, ct);
        var address = addresses.OrderBy(a => a.AddressFamily == AddressFamily.InterNetwork ? 0 : 1).FirstOrDefault()
            ?? throw new InvalidOperationException($"{targetHost} has no address.");
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            // Port 0: the kernel picks a free port and binds it in one step, so nothing can take it in between.
            listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            listener.Listen(512);
        }
        catch
        {
            listener.Dispose();
            throw;
        }
        var proxy = new DelayProxy(listener, new IPEndPoint(address, targetPort), delayEachWay);
        proxy._accepting = proxy.AcceptAsync();
        return proxy;
    }

    async Task AcceptAsync()
    {
        while (true)
        {
            Socket client;
            try { client = await _listener.AcceptAsync(_stopping.Token); }
            catch (Exception e) when (_stopping.IsCancellationRequested && e is OperationCanceledException or ObjectDisposedException or SocketException) { return; }
            client.NoDelay = true;
            var serving = ServeAsync(client);
            lock (_connections) _connections.Add(serving);
            // Registered after the Add, so it runs after it even when the connection is already over.
            _ = serving.ContinueWith(t => { lock (_connections) _connections.Remove(t); }, CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    async Task ServeAsync(Socket client)
    {
        using var connection = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        var upstream = new Socket(_target.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        var ended = false;
        try
        {
            await upstream.ConnectAsync(_target, connection.Token);
            await Task.WhenAll(PumpAsync(client, upstream, connection), PumpAsync(upstream, client, connection));
            ended = true;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The target refused, a side reset, or the proxy stops: both sides are reset below.
        }
        finally
        {
            // Close(0) resets (no linger): a failed or cut connection looks to both ends as a dropped network would.
            if (ended) { client.Dispose(); upstream.Dispose(); }
            else { client.Close(0); upstream.Close(0); }
        }
    }

    /// <summary>One direction: a reader hands each chunk to the delay line, a writer sends it on when the line releases it.</summary>
    async Task PumpAsync(Socket from, Socket to, CancellationTokenSource connection)
    {
        var released = Channel.CreateUnbounded<Chunk>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        using var inFlight = new SemaphoreSlim(ChunksInFlight);
        var ct = connection.Token;
        await Task.WhenAll(Guard(ReadAsync()), Guard(WriteAsync()));

        async Task ReadAsync()
        {
            while (true)
            {
                await inFlight.WaitAsync(ct);
                var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
                var read = await from.ReceiveAsync(buffer, SocketFlags.None, ct);
                if (read == 0)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    // The end of the stream travels the line too, so it arrives after the last chunk.
                    _line.Send(new Chunk(null, 0, released.Writer));
                    return;
                }
                _line.Send(new Chunk(buffer, read, released.Writer));
            }
        }

        async Task WriteAsync()
        {
            var reader = released.Reader;
            while (await reader.WaitToReadAsync(ct))
                while (reader.TryRead(out var chunk))
                {
                    for (var sent = 0; sent < chunk.Length;) sent += await to.SendAsync(chunk.Buffer.AsMemory(sent, chunk.Length - sent), SocketFlags.None, ct);
                    ArrayPool<byte>.Shared.Return(chunk.Buffer!);
                    inFlight.Release();
                }
            to.Shutdown(SocketShutdown.Send);
        }

        // A failing half stops the whole connection: the other three loops would otherwise wait for bytes that never come.
        async Task Guard(Task loop)
        {
            try { await loop; }
            catch { await connection.CancelAsync(); throw; }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        await _stopping.CancelAsync();
        _listener.Dispose();
        await _accepting;
        Task[] open;
        lock (_connections) open = [.. _connections];
        await Task.WhenAll(open);
        _line.Dispose();
        _stopping.Dispose();
    }

    /// <summary>Bytes read from one side, for the other; a null buffer ends the stream.</summary>
    readonly record struct Chunk(byte[]? Buffer, int Length, ChannelWriter<Chunk> To);

    /// <summary>
    /// One thread releases every chunk of every connection when it is due. The delay is the same for all, so chunks
    /// fall due in the order they were read: one queue and one sleep at a time suffice. Task.Delay and Thread.Sleep
    /// cannot wait less than a millisecond (Task.Delay(1) takes several on Linux); nanosleep with a 1 ns timer slack
    /// wakes some 25 µs late, so the line sleeps until a little before a chunk is due and spins only the rest.
    /// </summary>
    sealed class DelayLine : IDisposable
    {
        static readonly long SpinLead = Stopwatch.Frequency * 40 / 1_000_000;

        readonly long _delay;
        readonly Queue<(long Due, Chunk Chunk)> _queue = new();
        readonly Thread _thread;
        bool _stopping;

        public DelayLine(TimeSpan delay)
        {
            _delay = (long)(delay.TotalSeconds * Stopwatch.Frequency);
            _thread = new Thread(Run) { IsBackground = true, Name = "DelayProxy line" };
            _thread.Start();
        }

        public void Send(Chunk chunk)
        {
            lock (_queue)
            {
                _queue.Enqueue((Stopwatch.GetTimestamp() + _delay, chunk));
                if (_queue.Count == 1) Monitor.Pulse(_queue);
            }
        }

        void Run()
        {
            // The timer slack is per thread (50 µs by default): only this thread's sleeps get precise.
            if (OperatingSystem.IsLinux()) _ = Prctl(PrSetTimerSlack, 1, 0, 0, 0);
            while (true)
            {
                long due;
                lock (_queue)
                {
                    while (_queue.Count == 0 && !_stopping) Monitor.Wait(_queue);
                    if (_stopping) return;
                    due = _queue.Peek().Due;
                }
                SleepUntil(due - SpinLead);
                while (Stopwatch.GetTimestamp() < due) Thread.SpinWait(20);
                lock (_queue)
                {
                    var now = Stopwatch.GetTimestamp();
                    while (_queue.TryPeek(out var next) && next.Due <= now) Release(_queue.Dequeue().Chunk);
                }
            }
        }

        static void Release(Chunk chunk)
        {
            if (chunk.Buffer is null) chunk.To.TryComplete();
            else if (!chunk.To.TryWrite(chunk)) ArrayPool<byte>.Shared.Return(chunk.Buffer);
        }

        static void SleepUntil(long wake)
        {
            // In a loop: a signal (the runtime sends some) ends a nanosleep early.
            for (var left = wake - Stopwatch.GetTimestamp(); left > 0; left = wake - Stopwatch.GetTimestamp())
            {
                var nanoseconds = (long)(left * (1e9 / Stopwatch.Frequency));
                if (OperatingSystem.IsLinux())
                {
                    var request = new TimeSpec { Seconds = (nint)(nanoseconds / 1_000_000_000), Nanoseconds = (nint)(nanoseconds % 1_000_000_000) };
                    _ = NanoSleep(ref request, IntPtr.Zero);
                }
                else Thread.Sleep(TimeSpan.FromMilliseconds(Math.Max(1, nanoseconds / 1_000_000)));
            }
        }

        public void Dispose()
        {
            lock (_queue)
            {
                _stopping = true;
                Monitor.Pulse(_queue);
            }
            _thread.Join();
        }

        const int PrSetTimerSlack = 29;

        [StructLayout(LayoutKind.Sequential)]
        struct TimeSpec
        {
            public nint Seconds;
            public nint Nanoseconds;
        }

        [DllImport("libc", EntryPoint = "nanosleep")]
        static extern int NanoSleep(ref TimeSpec request, IntPtr remaining);

        [DllImport("libc", EntryPoint = "prctl")]
        static extern int Prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);
    }
}
