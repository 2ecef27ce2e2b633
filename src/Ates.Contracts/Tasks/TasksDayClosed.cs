namespace Ates.Contracts;

/// <summary>
/// The day-closed marker: Tasks published every task event of <see cref="Day"/>. They are the task events with a
/// sequence in (<see cref="PreviousSequence"/>, <see cref="LastSequence"/>], <see cref="TaskEvents"/> of them — a
/// count, because a rolled-back write leaves a gap in the sequence. Accounting closes the day once it has processed
/// that many task events of the range.
/// </summary>
[Event("tasks", "tasks.day_closed", 1)]
public sealed record TasksDayClosed(
    DateOnly Day,
    long LastSequence,
    long PreviousSequence,
    long TaskEvents);
