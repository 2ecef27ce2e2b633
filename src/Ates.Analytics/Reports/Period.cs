using System.Globalization;

namespace Ates.Analytics.Reports;

/// <summary>A run of calendar days, both ends included: a day, a week (Monday to Sunday), a month or any range.</summary>
public readonly record struct Period
{
    public Period(DateOnly from, DateOnly to)
    {
        if (from > to) throw new ArgumentException($"A period cannot end ({to:yyyy-MM-dd}) before it starts ({from:yyyy-MM-dd}).", nameof(to));
        (From, To) = (from, to);
    }

    public DateOnly From { get; }
    public DateOnly To { get; }

    public int Days => To.DayNumber - From.DayNumber + 1;

    public IEnumerable<DateOnly> EachDay() => Enumerable.Range(0, Days).Select(From.AddDays);

    public static Period Day(DateOnly day) => new(day, day);

    /// <summary>The ISO week (Monday to Sunday) that holds the day.</summary>
    public static Period WeekOf(DateOnly day)
    {
        var monday = day.AddDays(-(((int)day.DayOfWeek + 6) % 7));
        return new Period(monday, monday.AddDays(6));
    }

    public static Period MonthOf(DateOnly day)
    {
        var first = new DateOnly(day.Year, day.Month, 1);
        return new Period(first, first.AddMonths(1).AddDays(-1));
    }

    /// <summary>
    /// As the spec writes it: "3 March", "1–3 March", "28 February – 3 March"; the year only when it is not
    /// <paramref name="currentYear"/> or the period spans two years.
    /// </summary>
    public string Label(int currentYear)
    {
        var c = CultureInfo.InvariantCulture;
        string Year(DateOnly d) => d.Year == currentYear ? "" : $" {d.Year}";
        if (From == To) return $"{From.Day} {From.ToString("MMMM", c)}{Year(From)}";
        if (From.Year == To.Year && From.Month == To.Month) return $"{From.Day}–{To.Day} {To.ToString("MMMM", c)}{Year(To)}";
        if (From.Year == To.Year) return $"{From.Day} {From.ToString("MMMM", c)} – {To.Day} {To.ToString("MMMM", c)}{Year(To)}";
        return $"{From.Day} {From.ToString("MMMM", c)} {From.Year} – {To.Day} {To.ToString("MMMM", c)} {To.Year}";
    }

    public override string ToString() => From == To ? $"{From:yyyy-MM-dd}" : $"{From:yyyy-MM-dd}..{To:yyyy-MM-dd}";
}

/// <summary>
/// Reads a period from query parameters: <c>period=day|week|month</c> with <c>date</c> (today when absent), or
/// <c>from</c> and <c>to</c> (a range). Dates are yyyy-MM-dd. Errors are keyed by parameter, for a 400 problem.
/// </summary>
public static class PeriodQuery
{
    /// <summary>The longest range a report takes: a year and a day, so a leap year fits.</summary>
    public const int MaxDays = 366;

    /// <summary>
    /// The dates a report takes. Far beyond any billing day, and far enough inside the calendar's ends that the week
    /// and the month of a date still fit in it (the week of 9999-12-31 would end in the year 10000).
    /// </summary>
    public static readonly DateOnly Earliest = new(1900, 1, 1), Latest = new(9998, 12, 31);

    public static (Period? Period, Dictionary<string, string[]> Errors) Parse(string? period, string? date, string? from, string? to, DateOnly today)
    {
        var errors = new Dictionary<string, string[]>();
        var isRange = from is not null || to is not null || period is "range";
        if (isRange)
        {
            if (period is not (null or "range")) errors["period"] = [$"Give either period={period} with date, or from and to, not both."];
            if (date is not null) errors["date"] = ["date goes with period=day|week|month; a range takes from and to."];
            var start = Date(from, "from", errors, required: true);
            var end = Date(to, "to", errors, required: true);
            if (start is { } s && end is { } e)
            {
                if (s > e) errors["to"] = [$"to ({e:yyyy-MM-dd}) is before from ({s:yyyy-MM-dd})."];
                else if (e.DayNumber - s.DayNumber + 1 > MaxDays) errors["to"] = [$"A range is at most {MaxDays} days."];
                else if (errors.Count == 0) return (new Period(s, e), errors);
            }
            return (null, errors);
        }

        var day = Date(date, "date", errors, required: false) ?? today;
        Period? result = (period ?? "day") switch
        {
            "day" => Period.Day(day),
            "week" => Period.WeekOf(day),
            "month" => Period.MonthOf(day),
            _ => null,
        };
        if (result is null) errors["period"] = [$"period must be day, week, month or range, not '{period}'."];
        return errors.Count == 0 ? (result, errors) : (null, errors);
    }

    /// <summary>A yyyy-MM-dd date, or null with an error (or null without one when optional and absent).</summary>
    public static DateOnly? Date(string? value, string name, Dictionary<string, string[]> errors, bool required)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            if (required) errors[name] = [$"{name} is required (yyyy-MM-dd)."];
            return null;
        }
        if (!DateOnly.TryParseExact(value.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed))
        {
            errors[name] = [$"{name} must be a date as yyyy-MM-dd, not '{value}'."];
            return null;
        }
        if (parsed < Earliest || parsed > Latest)
        {
            errors[name] = [$"{name} must lie between {Earliest:yyyy-MM-dd} and {Latest:yyyy-MM-dd}, not {parsed:yyyy-MM-dd}."];
            return null;
        }
        return parsed;
    }
}
