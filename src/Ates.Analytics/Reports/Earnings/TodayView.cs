using Ates.Analytics.Reports.MostExpensiveTask;

namespace Ates.Analytics.Reports.Earnings;

/// <summary>Today so far: the management's earnings, the popugs in the negative and the most expensive task.</summary>
public sealed record TodayView(DateOnly Day, decimal ManagementEarnings, int PopugsInNegative, MostExpensiveView MostExpensiveToday);
