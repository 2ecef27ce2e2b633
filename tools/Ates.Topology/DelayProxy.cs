using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Ates.Topology;

/// <summary>
/// A TCP proxy on 127.0.0.1 that holds every chunk of bytes back by a fixed delay in each direction, keeping their
/// order: a database or a broker a network hop away, on one machine. Each accepted connection gets its own connection
/// to the target; when one side ends its stream, the proxy ends the other side's (half-close), and a connection that
/// fails on one side is reset on both.
/// </summary>
/// <remarks>
/// The bytes do not pass through the thread pool: with a millisecond between chunks its workers go idle after every
/// one and spin before they sleep, which cost about 1 ms of CPU per proxied round trip on two cores. Instead a thread
/// per direction waits in poll() and reads, one thread for the whole proxy releases the chunks when due and sends them
/// without blocking, and only a peer that reads slower than it is sent to gets a thread that waits to write.
/// </remarks>
public sealed class DelayProxy : IAsyncDisposable
{
    // A chunk is what one read returned; a direction holds at most this many in flight, so a peer that does not read
    // holds the other side back instead of the proxy's memory growing (64 × 16 KiB per delay: ample for a database).
    const int ChunkSize = 16 * 1024;
    const int ChunksInFlight = 64;
    const int StackSize = 256 * 1024;

    // How long a thread waits in poll() before it looks whether the connection was cut (closing a socket also wakes it).
    const int PollMicroseconds = 1_000_000;

    readonly Socket _listener;
    readonly IPEndPoint _target;
    readonly DelayLine _line;
    readonly CancellationTokenSource _stopping = new();
    readonly HashSet<Connection> _connections = [];
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
            var connection = new Connection(this, client);
            lock (_connections) _connections.Add(connection);
            connection.Start();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        await _stopping.CancelAsync();
        _listener.Dispose();
        await _accepting;
        Connection[] open;
        lock (_connections) open = [.. _connections];
        foreach (var connection in open) connection.Abort();
        await Task.WhenAll(open.Select(c => c.Ended));
        _line.Dispose();
        _stopping.Dispose();
    }

    /// <summary>Bytes read from one side, for the other, sent from <see cref="Offset"/> on; no buffer: the end of the stream.</summary>
    sealed class Chunk(byte[]? buffer, int length, Direction to)
    {
        public byte[]? Buffer { get; } = buffer;
        public int Length { get; } = length;
        public Direction To { get; } = to;
        public int Offset { get; set; }
    }

    /// <summary>One accepted connection and its connection to the target; over when both ends have ended, or cut.</summary>
    sealed class Connection
    {
        readonly DelayProxy _proxy;
        readonly Socket _client;
        readonly Socket _upstream;
        readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
        readonly Direction _toUpstream;
        readonly Direction _toClient;
        readonly object _gate = new();
        int _threads;
        int _finished;
        bool _completed;
        int _aborted;

        public Connection(DelayProxy proxy, Socket client)
        {
            _proxy = proxy;
            _client = client;
            _upstream = new Socket(proxy._target.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            _toUpstream = new Direction(this, client, _upstream);
            _toClient = new Direction(this, _upstream, client);
        }

        public Task Ended => _ended.Task;

        public bool Aborted => Volatile.Read(ref _aborted) == 1;

        public DelayLine Line => _proxy._line;

        public void Start() => StartThread(() =>
        {
            try
            {
                // Blocking and on this thread: a loopback connect is at once; the sockets stay out of the async engine.
                _upstream.Connect(_proxy._target);
                foreach (var socket in new[] { _client, _upstream }) (socket.NoDelay, socket.Blocking) = (true, false);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                Abort();
                return;
            }
            StartThread(_toClient.Read);
            _toUpstream.Read();
        });

        public void StartThread(Action work)
        {
            lock (_gate) _threads++;
            new Thread(() =>
            {
                try { work(); }
                finally
                {
                    lock (_gate) _threads--;
                    TryComplete();
                }
            }, StackSize) { IsBackground = true, Name = "DelayProxy connection" }.Start();
        }

        /// <summary>A direction has handed its end of stream on.</summary>
        public void Finished()
        {
            lock (_gate) _finished++;
            TryComplete();
        }

        /// <summary>Resets both sides (no linger); wakes this connection's threads, which then end.</summary>
        public void Abort()
        {
            if (Interlocked.Exchange(ref _aborted, 1) == 1) return;
            _client.Close(0);
            _upstream.Close(0);
            _toUpstream.Wake();
            _toClient.Wake();
            TryComplete();
        }

        void TryComplete()
        {
            lock (_gate)
            {
                if (_completed || _threads > 0 || (!Aborted && _finished < 2)) return;
                _completed = true;
            }
            if (!Aborted)
            {
                _client.Dispose();
                _upstream.Dispose();
            }
            lock (_proxy._connections) _proxy._connections.Remove(this);
            _ended.TrySetResult();
        }
    }

    /// <summary>One way through a connection: read from one socket, released by the line, sent to the other.</summary>
    sealed class Direction(Connection connection, Socket from, Socket to)
    {
        // Released by the line but not yet sent: the peer reads slower than it is sent to; a flusher thread drains it.
        readonly Queue<Chunk> _backlog = new();
        readonly object _slotsLock = new();
        bool _flushing;
        int _slots = ChunksInFlight;

        /// <summary>The reading thread: chunk after chunk onto the line, then the end of the stream.</summary>
        public void Read()
        {
            try
            {
                while (TakeSlot())
                {
                    var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
                    int read;
                    while (true)
                    {
                        read = from.Receive(buffer, 0, ChunkSize, SocketFlags.None, out var error);
                        if (error == SocketError.Success) break;
                        if (error != SocketError.WouldBlock) { connection.Abort(); return; }
                        from.Poll(PollMicroseconds, SelectMode.SelectRead);
                        if (connection.Aborted) return;
                    }
                    if (read == 0)
                    {
                        ArrayPool<byte>.Shared.Return(buffer);
                        // The end of the stream travels the line too, so it arrives after the last chunk.
                        connection.Line.Send(new Chunk(null, 0, this));
                        return;
                    }
                    connection.Line.Send(new Chunk(buffer, read, this));
                }
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                connection.Abort();
            }
        }

        /// <summary>On the line's thread, when the chunk is due: sent at once if the peer's socket takes it, else queued.</summary>
        public void Deliver(Chunk chunk)
        {
            lock (_backlog)
            {
                if (!_flushing && TrySend(chunk)) return;
                _backlog.Enqueue(chunk);
                if (_flushing) return;
                _flushing = true;
            }
            connection.StartThread(Flush);
        }

        void Flush()
        {
            while (!connection.Aborted)
            {
                try { to.Poll(PollMicroseconds, SelectMode.SelectWrite); }
                catch (Exception e) when (e is SocketException or ObjectDisposedException) { connection.Abort(); return; }
                lock (_backlog)
                {
                    while (_backlog.TryPeek(out var chunk) && TrySend(chunk)) _backlog.Dequeue();
                    if (_backlog.Count == 0)
                    {
                        _flushing = false;
                        return;
                    }
                }
            }
        }

        /// <summary>True when the chunk is done with: sent, or dropped because the connection is cut.</summary>
        bool TrySend(Chunk chunk)
        {
            if (connection.Aborted) return true;
            try
            {
                if (chunk.Buffer is null)
                {
                    to.Shutdown(SocketShutdown.Send);
                    connection.Finished();
                    return true;
                }
                while (chunk.Offset < chunk.Length)
                {
                    var sent = to.Send(chunk.Buffer, chunk.Offset, chunk.Length - chunk.Offset, SocketFlags.None, out var error);
                    if (error == SocketError.WouldBlock) return false;
                    if (error != SocketError.Success) { connection.Abort(); return true; }
                    chunk.Offset += sent;
                }
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                connection.Abort();
                return true;
            }
            ArrayPool<byte>.Shared.Return(chunk.Buffer);
            lock (_slotsLock)
                if (_slots++ == 0) Monitor.Pulse(_slotsLock);
            return true;
        }

        bool TakeSlot()
        {
            lock (_slotsLock)
            {
                while (_slots == 0 && !connection.Aborted) Monitor.Wait(_slotsLock);
                if (connection.Aborted) return false;
                _slots--;
                return true;
            }
        }

        public void Wake()
        {
            lock (_slotsLock) Monitor.PulseAll(_slotsLock);
        }
    }

    /// <summary>
    /// One thread releases every chunk of every connection when it is due. The delay is the same for all, so chunks
    /// fall due in the order they were read: one queue and one sleep at a time suffice. Task.Delay and Thread.Sleep
    /// cannot wait less than a millisecond (Task.Delay(1) took 4 ms here); nanosleep with a 1 ns timer slack wakes some
    /// 25 µs late, so the line sleeps until a little before a chunk is due and spins only the rest.
    /// </summary>
    sealed class DelayLine : IDisposable
    {
        static readonly long SpinLead = Stopwatch.Frequency * 40 / 1_000_000;

        readonly long _delay;
        readonly Queue<(long Due, Chunk Chunk)> _queue = new();
        readonly List<Chunk> _due = [];
        readonly Thread _thread;
        bool _stopping;

        public DelayLine(TimeSpan delay)
        {
            _delay = (long)(delay.TotalSeconds * Stopwatch.Frequency);
            _thread = new Thread(Run, StackSize) { IsBackground = true, Name = "DelayProxy line" };
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
                    while (_queue.TryPeek(out var next) && next.Due <= now) _due.Add(_queue.Dequeue().Chunk);
                }
                // Sent outside the lock, so that the readers can queue meanwhile.
                foreach (var chunk in _due) chunk.To.Deliver(chunk);
                _due.Clear();
            }
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
