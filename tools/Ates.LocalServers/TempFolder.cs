using System.Globalization;

namespace Ates.LocalServers;

/// <summary>
/// Temp folders for the servers (<c>$TMPDIR/ates-…</c>). Each holds an <c>.owner</c> file with the pid and
/// start time of the test process; folders whose owner is gone (a test process that was SIGKILLed and so
/// never ran its cleanup) are swept when the next one is created.
/// </summary>
static class TempFolder
{
    const string OwnerFile = ".owner";
    static readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte> Live = new();
    static int swept;

    static TempFolder()
    {
        // A test run that ends without disposing its servers: kill them, then remove their folders.
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            ChildProcess.KillAllLive();
            foreach (var dir in Live.Keys)
            {
                try { Delete(dir); }
                catch (Exception) { /* best effort; swept by the next run otherwise */ }
            }
        };
    }

    public static string Create(string prefix)
    {
        if (Interlocked.Exchange(ref swept, 1) == 0) SweepStale();
        var dir = Directory.CreateTempSubdirectory(prefix).FullName;
        var pid = Environment.ProcessId;
        File.WriteAllText(Path.Combine(dir, OwnerFile), $"{pid} {Native.ProcessStartTime(pid)}");
        Live[dir] = 0;
        return dir;
    }

    public static void Delete(string dir)
    {
        Live.TryRemove(dir, out _);
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
                return;
            }
            catch (Exception e) when ((e is IOException or UnauthorizedAccessException) && attempt < 20)
            {
                // A dying server may still be writing (e.g. a log line); try again shortly.
                Thread.Sleep(50);
            }
        }
    }

    static void SweepStale()
    {
        try
        {
            foreach (var dir in Directory.EnumerateDirectories(Path.GetTempPath(), "ates-*"))
            {
                var owner = Path.Combine(dir, OwnerFile);
                if (!File.Exists(owner)) continue;
                var parts = File.ReadAllText(owner).Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length == 0 || !int.TryParse(parts[0], CultureInfo.InvariantCulture, out var pid)) continue;
                var startTime = Native.ProcessStartTime(pid)?.ToString(CultureInfo.InvariantCulture);
                var ownerAlive = startTime is not null && (parts.Length < 2 || parts[1] == startTime);
                if (!ownerAlive)
                {
                    try { Directory.Delete(dir, recursive: true); }
                    catch (Exception e) when (e is IOException or UnauthorizedAccessException) { /* not ours to delete */ }
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Sweeping is best effort.
        }
    }
}
