using Ates.ServiceDefaults.Hosting;

namespace Ates.Analytics.Hosting;

/// <summary>The "Analytics" configuration section. Defaults suit the embedded/development mode.</summary>
public sealed class AnalyticsOptions : SignedInServiceOptions
{
    public AnalyticsOptions() => Database = "sqlite:data/analytics.db";

    /// <summary>The time zone whose calendar days the reports use ("today"); the same as Accounting's billing days. IANA or Windows id.</summary>
    public string TimeZone { get; set; } = "UTC";

    /// <summary>
    /// Base address of each producer whose event log a rebuild replays into Analytics (the producer maps
    /// POST /api/ops/replay), by source name: "auth", "tasks", "accounting".
    /// </summary>
    public Dictionary<string, string> Producers { get; set; } = [];

    /// <summary>
    /// The address of the Prometheus that scrapes the services (e.g. http://prometheus:9090); the ops page then links
    /// each consumer's lag to its series there (<c>ates:consumer_lag</c>, deploy/prometheus/ates.rules.yml).
    /// </summary>
    public string? Prometheus { get; set; }

    /// <summary>How long a rebuild waits for replayed events to be handled (RabbitMQ delivers them after the replay answers).</summary>
    public TimeSpan RebuildSettleTimeout { get; set; } = TimeSpan.FromMinutes(5);
}
