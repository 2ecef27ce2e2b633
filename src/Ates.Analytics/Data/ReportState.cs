namespace Ates.Analytics.Data;

/// <summary>
/// The one row that says which generation of facts the reports read (<see cref="Live"/>) and which one a rebuild is
/// filling beside it (<see cref="Building"/>); events feed both. <see cref="LastGeneration"/> only grows, so a new
/// rebuild never reuses the number of one that failed.
/// </summary>
public sealed class ReportState
{
    public const int TheRow = 1;

    public int Id { get; set; }
    public long Live { get; set; }
    public long? Building { get; set; }
    public long LastGeneration { get; set; }

    public IReadOnlyList<long> Fed => Building is { } building ? [Live, building] : [Live];
}
