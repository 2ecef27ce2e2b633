using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Ates.Messaging.Transports.RabbitMq;

/// <summary>
/// What a service's own broker login may do, as RabbitMQ's three permission patterns (configure, write, read) over
/// resource names. A service configures (declares, deletes) only its own exchange and queues, reads only its own queues
/// and the producers' exchanges it binds to, and writes to its own exchange and, for replays and retries, to the
/// consumers' partition exchanges and the default exchange. Those writes cannot forge another producer's events: every
/// message carries the publishing login as its <c>user-id</c>, which the broker checks against the connection, and a
/// consumer takes an event only from the login of the producer the registry names (<see cref="RabbitMqTransport"/>).
/// </summary>
public static class BrokerPermissions
{
    public sealed record Patterns(string Configure, string Write, string Read);

    public static Patterns Of(string ns, string service)
    {
        var own = $@"{Regex.Escape(ns)}\.{Regex.Escape(service)}(\..+)?";
        var partitions = $@"{Regex.Escape(ns)}\.[^.]+\.partitions";
        var producers = $@"{Regex.Escape(ns)}\.[^.]+";
        return new Patterns(
            Configure: $"^{own}$",
            Write: $"^({own}|{partitions}|amq\\.default)$",
            Read: $"^({own}|{producers})$");
    }

    /// <summary>
    /// RabbitMQ definitions (for <c>rabbitmqctl import_definitions</c>) that create a login per service with its
    /// patterns, and every producer's exchange, so that no consumer has to create another's.
    /// </summary>
    public static string Definitions(string ns, IReadOnlyDictionary<string, string> passwordOf, IEnumerable<string> producers) =>
        JsonSerializer.Serialize(new
        {
            users = passwordOf.Select(l => new { name = l.Key, password_hash = PasswordHash(l.Value), hashing_algorithm = "rabbit_password_hashing_sha256", tags = Array.Empty<string>() }),
            permissions = passwordOf.Keys.Select(service => (Service: service, Patterns: Of(ns, service)))
                .Select(p => new { user = p.Service, vhost = "/", configure = p.Patterns.Configure, write = p.Patterns.Write, read = p.Patterns.Read }),
            exchanges = producers.Select(producer => new
            {
                name = $"{ns}.{producer}", vhost = "/", type = "topic", durable = true, auto_delete = false, @internal = false,
                arguments = new Dictionary<string, object>(),
            }),
        });

    /// <summary>RabbitMQ's salted SHA-256 password hash: base64 of a 4-byte salt and SHA-256(salt ++ password).</summary>
    public static string PasswordHash(string password)
    {
        var salt = RandomNumberGenerator.GetBytes(4);
        return Convert.ToBase64String([.. salt, .. SHA256.HashData([.. salt, .. Encoding.UTF8.GetBytes(password)])]);
    }
}
