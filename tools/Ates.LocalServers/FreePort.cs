using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Ates.LocalServers;

/// <summary>Free loopback TCP ports for private servers.</summary>
public static class FreePort
{
    static readonly ConcurrentDictionary<int, byte> HandedOut = new();

    /// <summary>
    /// A TCP port that is free on 127.0.0.1 right now. Ports are picked at random <em>below</em> the
    /// kernel's ephemeral range, so outgoing connections (which take their local port from that range)
    /// cannot grab it before the server binds it; a port is never handed out twice by this process.
    /// </summary>
    public static int Next()
    {
        var (low, high) = CandidateRange();
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var port = low < high ? Random.Shared.Next(low, high + 1) : BindEphemeral();
            if (!HandedOut.TryAdd(port, 0)) continue;
            if (IsFree(port)) return port;
        }
        throw new InvalidOperationException("Could not find a free loopback TCP port after 200 attempts.");
    }

    /// <summary>True if nothing listens on 127.0.0.1:<paramref name="port"/> (a bind succeeds).</summary>
    public static bool IsFree(int port)
    {
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
            socket.Listen(1);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    static (int Low, int High) CandidateRange()
    {
        var ephemeralLow = 32768;
        try
        {
            var text = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range");
            ephemeralLow = int.Parse(text.Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries)[0], CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
        }
        // Leave headroom below the ephemeral range for port ranges (see RabbitMqServer's CLI dist ports).
        return (15000, ephemeralLow - 20);
    }

    static int BindEphemeral()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
