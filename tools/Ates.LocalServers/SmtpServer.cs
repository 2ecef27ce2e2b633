using System.Net.Sockets;

namespace Ates.LocalServers;

/// <summary>
/// A real SMTP server for a test: Debian's <c>python3-aiosmtpd</c> (<c>python3 -m aiosmtpd -n -l 127.0.0.1:PORT
/// -c aiosmtpd.handlers.Mailbox DIR</c>) on a free loopback port, storing every message it accepts in a Maildir.
/// </summary>
public sealed class SmtpServer : IAsyncDisposable
{
    readonly ChildProcess process;
    readonly string folder;

    SmtpServer(ChildProcess process, string folder, int port)
    {
        this.process = process;
        this.folder = folder;
        Port = port;
    }

    public string Host => "127.0.0.1";

    public int Port { get; }

    /// <summary>The Maildir the server delivers to.</summary>
    public string Maildir => Path.Combine(folder, "maildir");

    /// <summary>Every message received so far (the Maildir's new/ and cur/ files).</summary>
    public IReadOnlyList<string> Messages =>
        new[] { "new", "cur" }.Select(d => Path.Combine(Maildir, d)).Where(Directory.Exists).SelectMany(Directory.GetFiles).Order().ToList();

    /// <summary>Starts a server on <paramref name="port"/> (a free one if not given) and waits until it accepts connections.</summary>
    public static async Task<SmtpServer> StartAsync(int? port = null, CancellationToken ct = default)
    {
        // Debian's interpreter, where the package's module lives (a pyenv shim earlier on PATH would not have it).
        var python = File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : SystemTools.Find("python3")
            ?? throw new InvalidOperationException("python3 not found. Install it: apt-get install -y python3-aiosmtpd");
        var folder = TempFolder.Create("ates-smtp-");
        var chosen = port ?? FreePort.Next();
        var process = await ChildProcess.StartAsync("aiosmtpd", python,
            ["-m", "aiosmtpd", "-n", "-l", $"127.0.0.1:{chosen}", "-c", "aiosmtpd.handlers.Mailbox", Path.Combine(folder, "maildir")],
            new ChildProcessOptions()).ConfigureAwait(false);
        var server = new SmtpServer(process, folder, chosen);
        try
        {
            await Eventually.UntilAsync(async () =>
            {
                if (process.HasExited)
                    throw new InvalidOperationException($"aiosmtpd exited ({process.ExitCode}); is python3-aiosmtpd installed? Output:\n{process.Tail()}");
                using var client = new TcpClient();
                try { await client.ConnectAsync(server.Host, chosen, ct).ConfigureAwait(false); return true; }
                catch (SocketException) { return false; }
            }, TimeSpan.FromSeconds(30), "aiosmtpd should accept connections", ct).ConfigureAwait(false);
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await process.KillAndWaitAsync().ConfigureAwait(false);
        process.Dispose();
        TempFolder.Delete(folder);
    }
}
