namespace Ates.Analytics.Rebuild;

/// <summary>Where a rebuild stands: "running", then "done" or "failed".</summary>
public sealed record RebuildProgress(Guid Id, DateTimeOffset StartedAt, DateTimeOffset? FinishedAt, string State, string? Error,
    IReadOnlyList<ProducerProgress> Producers)
{
    public bool IsRunning => State == "running";
}

/// <summary>
/// One producer's replay: "waiting", "replaying" (its log is being sent), "handling" (sent; Analytics is still
/// handling them), "done" or "failed". <see cref="Handled"/> counts the events of that producer Analytics has handled.
/// </summary>
public sealed record ProducerProgress(string Name, string State, long? Sent, long Handled, string? Error);
