using System.Diagnostics.Metrics;

namespace Ates.Accounting.Billing.ClosingDay;

/// <summary>
/// The day close as metrics of the meter "Ates.Accounting": how long each close took, and whether the open day waits
/// for task events after its marker came (and for how long): a day that waits an hour wants a look (docs/operations.md).
/// </summary>
public static class DayCloseMetrics
{
    public static readonly Meter Meter = new("Ates.Accounting");

    static readonly Histogram<double> Duration = Meter.CreateHistogram<double>("ates.day_close.duration", "s",
        "How long closing a billing day took: its payouts, its emails and its event.");

    static readonly ObservableGauge<int> Waiting;
    static WaitingDay? _waiting;
    static DateTime _seenAt;

    static DayCloseMetrics()
    {
        Waiting = Meter.CreateObservableGauge("ates.day.waiting", () => _waiting is null ? 0 : 1, "{day}",
            "1 while the open day's marker has come and some of its task events are not processed yet.");
        Meter.CreateObservableGauge("ates.day.waiting_for", () => _waiting is { } w ? Math.Max(0, (_seenAt - w.MarkerReceivedAt).TotalSeconds) : 0, "s",
            "How long the waiting day has waited since its marker came (0 when none waits).");
    }

    public static void RecordClose(string closedBy, TimeSpan took) => Duration.Record(took.TotalSeconds, new KeyValuePair<string, object?>("ates.closed_by", closedBy));

    /// <summary>
    /// Creates the instruments now (this class's static constructor) rather than at the first check, so that a scrape
    /// before it finds the waiting day's gauges at 0.
    /// </summary>
    public static void Publish() { }

    /// <summary>Whether a meter provider reads the waiting day: else it need not be looked up.</summary>
    public static bool Observed => Waiting.Enabled;

    public static void RecordWaiting(WaitingDay? waiting, DateTime now) => (_waiting, _seenAt) = (waiting, now);
}
