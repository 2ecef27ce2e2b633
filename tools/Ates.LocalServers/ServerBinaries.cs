using System.Globalization;

namespace Ates.LocalServers;

/// <summary>Thrown by the StartAsync methods when a server binary is not installed; the message says what to install.</summary>
public sealed class ServerNotInstalledException(string message) : Exception(message);

/// <summary>Finds the server binaries of the Debian packages.</summary>
static class ServerBinaries
{
    public const string RabbitMqInstall = "apt-get install -y rabbitmq-server";
    public const string PostgresInstall = "apt-get install -y postgresql";

    internal sealed record RabbitMqBinaries(string Server, string Ctl, string Epmd);

    internal sealed record PostgresBinaries(string BinDir, string Postgres, string Initdb);

    static readonly Lazy<RabbitMqBinaries> RabbitMq = new(() => FindRabbitMq(
        ["/usr/lib/rabbitmq/bin", .. NewestFirst("/usr/lib/rabbitmq/lib", "rabbitmq_server-", "sbin")],
        ["/usr/bin", "/usr/lib/erlang/bin", .. NewestFirst("/usr/lib/erlang", "erts-", "bin")]));

    static readonly Lazy<PostgresBinaries> Postgres = new(() => FindPostgres(NewestFirst("/usr/lib/postgresql", "", "bin")));

    public static RabbitMqBinaries FindRabbitMq() => RabbitMq.Value;

    public static PostgresBinaries FindPostgres() => Postgres.Value;

    /// <remarks>Uses the scripts in RabbitMQ's own bin dir, not /usr/sbin/rabbitmq-server: the Debian wrapper there
    /// switches to the rabbitmq user and /var/lib/rabbitmq, which would defeat the private node.</remarks>
    internal static RabbitMqBinaries FindRabbitMq(IEnumerable<string> rabbitBinDirs, IEnumerable<string> erlangBinDirs)
    {
        var searched = rabbitBinDirs.ToList();
        var binDir = searched.FirstOrDefault(d => File.Exists(Path.Combine(d, "rabbitmq-server")) && File.Exists(Path.Combine(d, "rabbitmqctl")))
            ?? throw new ServerNotInstalledException(
                $"RabbitMQ server not found (looked for rabbitmq-server and rabbitmqctl in {string.Join(", ", searched)}). " +
                $"Install it: {RabbitMqInstall}");
        var erlangDirs = erlangBinDirs.ToList();
        var epmd = erlangDirs.Select(d => Path.Combine(d, "epmd")).FirstOrDefault(File.Exists)
            ?? SystemTools.Find("epmd")
            ?? throw new ServerNotInstalledException(
                $"Erlang's epmd not found (looked in {string.Join(", ", erlangDirs)} and PATH). " +
                $"Install RabbitMQ with its Erlang runtime: {RabbitMqInstall}");
        return new RabbitMqBinaries(Path.Combine(binDir, "rabbitmq-server"), Path.Combine(binDir, "rabbitmqctl"), epmd);
    }

    internal static PostgresBinaries FindPostgres(IEnumerable<string> binDirsNewestFirst)
    {
        var searched = binDirsNewestFirst.ToList();
        var binDir = searched.FirstOrDefault(d => File.Exists(Path.Combine(d, "postgres")) && File.Exists(Path.Combine(d, "initdb")))
            ?? throw new ServerNotInstalledException(
                $"PostgreSQL server not found (looked for postgres and initdb in /usr/lib/postgresql/*/bin" +
                (searched.Count > 0 ? $": {string.Join(", ", searched)}" : "") + $"). Install it: {PostgresInstall}");
        return new PostgresBinaries(binDir, Path.Combine(binDir, "postgres"), Path.Combine(binDir, "initdb"));
    }

    /// <summary>
    /// <c>{root}/{prefix}{version}/{sub}</c> for every version folder, highest version first
    /// (numeric comparison: 15 &gt; 9.6, 3.10.8 &gt; 3.9.2).
    /// </summary>
    internal static IEnumerable<string> NewestFirst(string root, string prefix, string sub)
    {
        if (!Directory.Exists(root)) return [];
        return Directory.EnumerateDirectories(root, prefix + "*")
            .Select(d => (Dir: d, Version: ParseVersion(Path.GetFileName(d)[prefix.Length..])))
            .Where(x => x.Version is not null)
            .OrderByDescending(x => x.Version)
            .Select(x => Path.Combine(x.Dir, sub))
            .ToList();
    }

    static Version? ParseVersion(string text)
    {
        var parts = text.Split('.');
        var numbers = new List<int>();
        foreach (var p in parts)
        {
            if (!int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var n)) return null;
            numbers.Add(n);
        }
        while (numbers.Count < 2) numbers.Add(0);
        return numbers.Count switch
        {
            2 => new Version(numbers[0], numbers[1]),
            3 => new Version(numbers[0], numbers[1], numbers[2]),
            _ => new Version(numbers[0], numbers[1], numbers[2], numbers[3]),
        };
    }
}
