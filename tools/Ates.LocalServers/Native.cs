using System.Runtime.InteropServices;

namespace Ates.LocalServers;

/// <summary>The few libc calls .NET has no managed API for (signals other than SIGKILL, chown, euid).</summary>
public static partial class Native
{
    // Linux signal numbers (identical on x64 and arm64).
    public const int SIGINT = 2;
    public const int SIGQUIT = 3;
    public const int SIGKILL = 9;
    public const int SIGTERM = 15;
    public const int SIGCONT = 18;
    public const int SIGSTOP = 19;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int KillNative(int pid, int sig);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEuidNative();

    [LibraryImport("libc", EntryPoint = "chown", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int ChownNative(string path, uint owner, uint group);

    /// <summary>Sends <paramref name="sig"/> to a process (pid &gt; 0) or a process group (pid &lt; 0). Returns false if there was no such process.</summary>
    public static bool Kill(int pid, int sig) => KillNative(pid, sig) == 0;

    public static bool IsRoot => OperatingSystem.IsLinux() && GetEuidNative() == 0;

    public static void Chown(string path, uint uid, uint gid)
    {
        if (ChownNative(path, uid, gid) != 0)
            throw new IOException($"chown({path}, {uid}, {gid}) failed with errno {Marshal.GetLastPInvokeError()}.");
    }

    /// <summary>Process start time (clock ticks since boot, field 22 of /proc/PID/stat), or null if the process does not exist.</summary>
    public static long? ProcessStartTime(int pid) =>
        Stat(pid) is { Length: > 19 } rest && long.TryParse(rest[19], System.Globalization.CultureInfo.InvariantCulture, out var ticks) ? ticks : null;

    /// <summary>The parent of a process (field 4 of /proc/PID/stat), or null if it does not exist.</summary>
    public static int? ParentOf(int pid) =>
        Stat(pid) is { Length: > 1 } rest && int.TryParse(rest[1], System.Globalization.CultureInfo.InvariantCulture, out var parent) ? parent : null;

    /// <summary>Whether a process exists and is not a zombie (state field of /proc/PID/stat).</summary>
    public static bool IsAlive(int pid) => Stat(pid) is [var state, ..] && state != "Z";

    /// <summary>The fields of /proc/PID/stat from field 3 (state) on, or null if the process does not exist.</summary>
    static string[]? Stat(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // The command name (field 2) may contain spaces and parentheses: split after the last ')'.
            return stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentOutOfRangeException)
        {
            return null;
        }
    }

    /// <summary>Looks a user up in /etc/passwd (the Debian packages create local system users).</summary>
    public static (uint Uid, uint Gid)? LookupUser(string name)
    {
        if (!File.Exists("/etc/passwd")) return null;
        foreach (var line in File.ReadLines("/etc/passwd"))
        {
            var f = line.Split(':');
            if (f.Length >= 4 && f[0] == name
                && uint.TryParse(f[2], out var uid) && uint.TryParse(f[3], out var gid))
                return (uid, gid);
        }
        return null;
    }
}
