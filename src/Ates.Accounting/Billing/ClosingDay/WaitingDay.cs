using Ates.Messaging.Ops;

namespace Ates.Accounting.Billing.ClosingDay;

/// <summary>A dead letter among the task events a waiting day counts.</summary>
public sealed record HoldingLetter(Guid Id, string? Type, string Reason);

/// <summary>
/// The open day, whose marker has come, waiting for <see cref="Expected"/> − <see cref="Processed"/> of its task
/// events; <see cref="HeldBy"/> are those Accounting dead-lettered.
/// </summary>
public sealed record WaitingDay(DateOnly Day, long Processed, long Expected, DateTime MarkerReceivedAt, IReadOnlyList<HoldingLetter> HeldBy)
{
    public string Describe() =>
        $"Billing day {Day:yyyy-MM-dd} waits: {Processed} of its {Expected} task events processed since Tasks closed it"
        + (HeldBy.Count > 0 ? $"; {HeldBy.Count} of them {(HeldBy.Count == 1 ? "is a dead letter" : "are dead letters")} here, so it closes only when "
            + $"{(HeldBy.Count == 1 ? "that is" : "they are")} retried, or by hand with a reason" : "; the rest may still be on their way");
}

/// <summary>A waiting day on the ops page, with the dead letters that hold it.</summary>
public sealed class WaitingDayWarnings(BillingDayCloser closer) : IOpsWarnings
{
    public async Task<IReadOnlyList<OpsWarning>> WarningsAsync(CancellationToken ct) =>
        await closer.WaitingAsync(ct) is { } waiting ? [new OpsWarning(waiting.Describe(), waiting.HeldBy.Select(l => l.Id).ToList())] : [];
}
