namespace Ates.Host;

/// <summary>The "Host" section: where the gateway listens and where the services keep their files.</summary>
public sealed class AtesHostOptions
{
    /// <summary>The one origin people use; every service's pages and APIs sit under it.</summary>
    public string Url { get; set; } = "http://localhost:5000";

    /// <summary>The folder of the services' SQLite files (relative to the working directory).</summary>
    public string Data { get; set; } = "data";
}
