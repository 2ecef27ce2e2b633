namespace Ates.Tasks.Domain;

/// <summary>
/// A day Tasks has closed: its task events are those with a sequence in (<see cref="PreviousSequence"/>,
/// <see cref="LastSequence"/>], <see cref="TaskEvents"/> of them. The marker published for it says the same.
/// </summary>
public sealed class ClosedDay
{
    public DateOnly Day { get; set; }
    public long PreviousSequence { get; set; }
    public long LastSequence { get; set; }
    public long TaskEvents { get; set; }
    public DateTimeOffset ClosedAt { get; set; }

    /// <summary>"schedule" or "by hand: &lt;user id&gt;".</summary>
    public string Trigger { get; set; } = "";
}
