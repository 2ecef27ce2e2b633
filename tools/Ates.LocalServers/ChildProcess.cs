using System.Collections.Concurrent;
using System.Diagnostics;

namespace Ates.LocalServers;

/// <summary>Options for <see cref="ChildProcess"/>.</summary>
sealed record ChildProcessOptions
{
    public string? WorkingDirectory { get; init; }

    /// <summary>Variables to set in the child's environment.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>Inherited variables whose name starts with one of these prefixes are removed (e.g. a developer's RABBITMQ_NODENAME).</summary>
    public IReadOnlyList<string> RemoveEnvironmentPrefixes { get; init; } = [];

    /// <summary>Run as this (unprivileged) user; only honoured when the test process runs as root.</summary>
    public string? RunAsUser { get; init; }

    /// <summary>How many lines of stdout+stderr to keep for error messages.</summary>
    public int TailLines { get; init; } = 300;
}

/// <summary>
/// A server process started by a launcher (tests, the benchmark, the topology tool). Each one is started
/// <list type="bullet">
/// <item>in its own session/process group (<c>setsid</c>), so the whole tree (beam + erl_child_setup,
/// postmaster + backends) can be killed with one signal and a Ctrl+C in the terminal does not hit it;</item>
/// <item>with a parent-death signal (<c>setpriv --pdeathsig KILL</c>), so it is SIGKILLed by the kernel
/// even when the test process itself is SIGKILLed. The parent-death signal fires when the <em>thread</em>
/// that forked the child exits, which is why every process is forked from one dedicated thread that
/// lives as long as the test process (<see cref="Launcher"/>);</item>
/// <item>registered for an <see cref="AppDomain.ProcessExit"/> hook that kills whatever is still alive.</item>
/// </list>
/// </summary>
sealed class ChildProcess : IDisposable
{
    static readonly ConcurrentDictionary<ChildProcess, byte> Live = new();

    static ChildProcess()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) => KillAllLive();
    }

    readonly Process process;
    readonly Queue<string> tail = new();
    readonly int tailCapacity;
    readonly bool ownGroup;
    int groupKilled;

    ChildProcess(string name, Process process, int tailCapacity, bool ownGroup)
    {
        Name = name;
        this.process = process;
        this.tailCapacity = tailCapacity;
        this.ownGroup = ownGroup;
    }

    public string Name { get; }

    public int Pid { get; private set; }

    public bool HasExited
    {
        get
        {
            try { return process.HasExited; }
            catch (InvalidOperationException) { return true; }
        }
    }

    public int? ExitCode => HasExited ? process.ExitCode : null;

    /// <summary>Starts <paramref name="exe"/> (see the class remarks for how).</summary>
    public static async Task<ChildProcess> StartAsync(string name, string exe, IEnumerable<string> args, ChildProcessOptions options)
    {
        var (fileName, argv, ownGroup) = Wrap(exe, args, options.RunAsUser);
        var psi = new ProcessStartInfo(fileName)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            WorkingDirectory = options.WorkingDirectory ?? Directory.GetCurrentDirectory(),
        };
        foreach (var a in argv) psi.ArgumentList.Add(a);
        foreach (var key in psi.Environment.Keys.ToList())
        {
            if (options.RemoveEnvironmentPrefixes.Any(p => key.StartsWith(p, StringComparison.Ordinal)))
                psi.Environment.Remove(key);
        }
        foreach (var (k, v) in options.Environment) psi.Environment[k] = v;

        var process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        var child = new ChildProcess(name, process, options.TailLines, ownGroup);
        process.OutputDataReceived += (_, e) => child.AddLine(e.Data);
        process.ErrorDataReceived += (_, e) => child.AddLine(e.Data);
        process.Exited += (_, _) => Live.TryRemove(child, out _);

        await Launcher.StartAsync(process).ConfigureAwait(false);
        child.Pid = process.Id;
        Live[child] = 0;
        if (process.HasExited) Live.TryRemove(child, out _);
        return child;
    }

    /// <summary>Runs a short-lived command to completion and returns its exit code and combined output.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(
        string exe, IEnumerable<string> args, ChildProcessOptions options, TimeSpan timeout, CancellationToken ct = default)
    {
        using var child = await StartAsync(Path.GetFileName(exe), exe, args, options with { TailLines = 2000 }).ConfigureAwait(false);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        try
        {
            await child.process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            child.KillTree();
            ct.ThrowIfCancellationRequested();
            throw new TimeoutException(
                $"'{exe} {string.Join(' ', args)}' did not finish within {timeout.TotalSeconds:0.#} s. Output:\n{child.Tail()}");
        }
        return (child.process.ExitCode, child.Tail());
    }

    /// <summary>Sends a signal to the process itself (not to its group); no-op once it has exited.</summary>
    public void Signal(int signal)
    {
        if (!HasExited) Native.Kill(Pid, signal);
    }

    /// <summary>SIGKILLs the process and, if it has its own process group, every process in that group.</summary>
    public void KillTree()
    {
        if (ownGroup && Interlocked.Exchange(ref groupKilled, 1) == 0) Native.Kill(-Pid, Native.SIGKILL);
        if (!HasExited) Native.Kill(Pid, Native.SIGKILL);
    }

    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Kills the tree and waits (bounded) until the process has been reaped.</summary>
    /// <summary>Sends <paramref name="signal"/> and waits up to <paramref name="grace"/>; SIGKILLs the group if it is still there, or its leftovers if not.</summary>
    public async Task StopAsync(int signal, TimeSpan grace)
    {
        Signal(signal);
        if (await WaitForExitAsync(grace).ConfigureAwait(false)) KillTree();
        else await KillAndWaitAsync().ConfigureAwait(false);
    }

    public async Task KillAndWaitAsync()
    {
        KillTree();
        if (!await WaitForExitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false))
            throw new InvalidOperationException($"{Name} (pid {Pid}) did not die within 10 s of SIGKILL.");
        // Members of the group that were still alive when the leader died.
        if (ownGroup) Native.Kill(-Pid, Native.SIGKILL);
    }

    /// <summary>The last lines the process wrote to stdout/stderr.</summary>
    public string Tail(int maxLines = int.MaxValue)
    {
        lock (tail)
        {
            return string.Join('\n', tail.Skip(Math.Max(0, tail.Count - maxLines)));
        }
    }

    public void Dispose()
    {
        KillTree();
        Live.TryRemove(this, out _);
        process.Dispose();
    }

    void AddLine(string? line)
    {
        if (line is null) return;
        lock (tail)
        {
            tail.Enqueue(line);
            while (tail.Count > tailCapacity) tail.Dequeue();
        }
    }

    /// <summary>SIGKILLs every server process still alive (used at process exit).</summary>
    internal static void KillAllLive()
    {
        foreach (var child in Live.Keys)
        {
            try { child.KillTree(); }
            catch (Exception) { /* best effort while the process exits */ }
        }
    }

    static (string FileName, List<string> Argv, bool OwnGroup) Wrap(string exe, IEnumerable<string> args, string? runAsUser)
    {
        var argv = new List<string>();
        var ownGroup = false;
        if (SystemTools.Setsid is { } setsid)
        {
            // The forked child is never a process-group leader, so setsid(1) just calls setsid(2)
            // and execs: the pid we get is the pid of the server itself.
            argv.Add(setsid);
            ownGroup = true;
        }
        var switchUser = runAsUser is not null && Native.IsRoot;
        if (SystemTools.Setpriv is { } setpriv)
        {
            argv.AddRange([setpriv, "--pdeathsig", "KILL"]);
            if (switchUser) argv.AddRange([$"--reuid={runAsUser}", $"--regid={runAsUser}", "--init-groups"]);
        }
        else if (switchUser)
        {
            argv.AddRange([SystemTools.Runuser ?? throw new InvalidOperationException(
                "Neither setpriv nor runuser found to drop root privileges. Install them: apt-get install -y util-linux"),
                "-u", runAsUser!, "--"]);
        }
        argv.Add(exe);
        argv.AddRange(args);
        return (argv[0], argv.Skip(1).ToList(), ownGroup);
    }

    /// <summary>Forks every child from one thread that lives as long as the process (see the class remarks).</summary>
    static class Launcher
    {
        static readonly BlockingCollection<(Process Process, TaskCompletionSource Done)> Queue = new();

        static Launcher()
        {
            var thread = new Thread(Run) { IsBackground = true, Name = "Ates.LocalServers process launcher" };
            thread.Start();
        }

        public static Task StartAsync(Process process)
        {
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Queue.Add((process, done));
            return done.Task;
        }

        static void Run()
        {
            foreach (var (process, done) in Queue.GetConsumingEnumerable())
            {
                try
                {
                    process.Start();
                    process.BeginOutputReadLine();
                    process.BeginErrorReadLine();
                    done.SetResult();
                }
                catch (Exception e)
                {
                    done.SetException(e);
                }
            }
        }
    }
}

/// <summary>util-linux helpers, found once.</summary>
static class SystemTools
{
    public static string? Setsid { get; } = Find("setsid");
    public static string? Setpriv { get; } = Find("setpriv");
    public static string? Runuser { get; } = Find("runuser");

    public static string? Find(string name, params string[] extraDirs)
    {
        var dirs = extraDirs
            .Concat((Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
            .Concat(["/usr/bin", "/bin", "/usr/sbin", "/sbin"]);
        foreach (var dir in dirs)
        {
            var path = Path.Combine(dir, name);
            if (File.Exists(path)) return path;
        }
        return null;
    }
}
