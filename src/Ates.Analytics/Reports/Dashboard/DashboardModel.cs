using Ates.Analytics.Reports.History;
using Ates.Analytics.Reports.MostExpensiveTask;

namespace Ates.Analytics.Reports.Dashboard;

/// <summary>What the dashboard shows; the query's own values come back so the forms keep them.</summary>
public sealed record DashboardModel(
    DateOnly Today,
    DayTotals TodayTotals,
    int InNegativeToday,
    DayTotals ChosenDay,
    IReadOnlyList<MostExpensiveView> MostExpensive,
    Period Range,
    IReadOnlyList<HistoryDay> History,
    string Chart);
