using Ates.ServiceDefaults.SignIn;

namespace Ates.ServiceDefaults.Hosting;

/// <summary>What every service is configured with, Auth included (its own section: "Auth", "Tasks", "Accounting", "Analytics").</summary>
public class ServiceOptions
{
    /// <summary>"sqlite:&lt;file&gt;" or "postgres:&lt;connection string&gt;".</summary>
    public string Database { get; set; } = "";

    /// <summary>
    /// Whether the service applies its schema's migrations when it starts. Unset: yes on SQLite (the one-process mode);
    /// on PostgreSQL the deployment runs the service's <c>migrate</c> command, and the service refuses a schema behind it.
    /// </summary>
    public bool? MigrateOnStart { get; set; }

    /// <summary>"embedded" (default) or "rabbitmq:&lt;amqp uri&gt;".</summary>
    public string Transport { get; set; } = "embedded";

    /// <summary>Prefix of the RabbitMQ exchanges and queues.</summary>
    public string RabbitNamespace { get; set; } = "ates";

    /// <summary>
    /// RabbitMQ: the partition queues this service's events are spread over by their partition key; its instances
    /// share them. Every instance of a service is given the same number (README, "Partitions").
    /// </summary>
    public int Partitions { get; set; } = Ates.Messaging.Transports.RabbitMq.RabbitMqOptions.DefaultPartitions;

    /// <summary>The path the service is served under behind the gateway (e.g. "/tasks"); empty when it has its own origin.</summary>
    public string PathBase { get; set; } = "";
}

/// <summary>What a service whose pages and API sign people in through Auth is configured with, besides the rest.</summary>
public class SignedInServiceOptions : ServiceOptions
{
    /// <summary>Auth's address and the client this service's pages sign in as.</summary>
    public SignInOptions SignIn { get; set; } = new();
}

/// <summary>Where the pages of every service live (the "Site" section); the defaults are the gateway's paths.</summary>
public sealed class SiteLinks
{
    public string Home { get; set; } = "/";
    public string Tasks { get; set; } = "/tasks/";
    public string Accounting { get; set; } = "/accounting/";
    public string Analytics { get; set; } = "/analytics/";
    public string Users { get; set; } = "/auth/admin/users";
    public string Ops { get; set; } = "/analytics/ops";
}
