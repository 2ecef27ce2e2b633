namespace Ates.Analytics.Reports;

/// <summary>How many popugs ended a day in the negative, as the JSON API answers it.</summary>
public sealed record InNegativeView(DateOnly Day, int PopugsInNegative);
