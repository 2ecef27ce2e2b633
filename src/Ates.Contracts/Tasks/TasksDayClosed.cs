namespace Ates.Contracts;

/// <summary>
/// The day-closed marker: Tasks published every task event of <see cref="Day"/>, the last of them
/// at <see cref="LastSequence"/>. Accounting closes the day once it has processed up to there.
/// </summary>
[Event("tasks", "tasks.day_closed", 1)]
public sealed record TasksDayClosed(
    DateOnly Day,
    long LastSequence);
