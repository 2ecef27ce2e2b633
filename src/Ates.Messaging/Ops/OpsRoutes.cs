namespace Ates.Messaging.Ops;

/// <summary>
/// The addresses of every service's ops API, relative to its base address: the endpoints are mapped at these and the
/// callers (Analytics' ops console and rebuild) send to these, so the two cannot drift apart.
/// </summary>
public static class OpsRoutes
{
    public const string Root = "api/ops";
    public const string Status = Root + "/status";
    public const string Backlog = Root + "/backlog";
    public const string DeadLetters = Root + "/dead-letters";
    public const string Replay = Root + "/replay";

    /// <summary>How many events of <paramref name="types"/> the log holds after <paramref name="after"/>.</summary>
    public static string BacklogAfter(long after, IEnumerable<string> types) =>
        $"{Backlog}?after={after}&types={Uri.EscapeDataString(string.Join(',', types))}";

    public static string DeadLetter(Guid id) => $"{DeadLetters}/{id}";

    public static string Retry(Guid id) => $"{DeadLetter(id)}/retry";
}
