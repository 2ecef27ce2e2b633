using System.Diagnostics;
using System.Threading.Channels;

namespace Ates.Testing;

/// <summary>A test host (a .NET app next to the tests) run as a separate process, so that a test can kill it with SIGKILL at a known point.</summary>
public sealed class HostProcess : IAsyncDisposable
{
    readonly Process _process;
    readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    readonly List<string> _seen = [];

    HostProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) _lines.Writer.TryWrite(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_seen) _seen.Add("stderr: " + e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>Starts <paramref name="assembly"/> (e.g. "Ates.Messaging.Node.dll", copied beside the tests) with <c>dotnet</c>.</summary>
    public static HostProcess Start(string assembly, params string[] arguments)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, assembly);
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(dll);
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        return new HostProcess(Process.Start(info) ?? throw new InvalidOperationException($"{assembly} did not start."));
    }

    /// <summary>Reads the host's output until a line starts with <paramref name="prefix"/>.</summary>
    public async Task<string> WaitForAsync(string prefix, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            while (true)
            {
                var line = await _lines.Reader.ReadAsync(deadline.Token);
                lock (_seen) _seen.Add(line);
                if (line.StartsWith(prefix, StringComparison.Ordinal)) return line;
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ChannelClosedException)
        {
            string output;
            lock (_seen) output = string.Join('\n', _seen.TakeLast(30));
            throw new TimeoutException($"The test host printed no line starting with '{prefix}' within {timeout}. Its last output:\n{output}");
        }
    }

    public int ProcessId => _process.Id;

    /// <summary>True when the process exited within <paramref name="timeout"/>.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(deadline.Token);
            return true;
        }
        catch (OperationCanceledException) { return false; }
    }

    /// <summary>SIGKILL: no shutdown code runs, as in a power cut.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }
}
