namespace Ates.Analytics.Reports.NegativeBalances;

/// <summary>A popug's balance on some day is the sum of every posting to their account up to that day, payouts included.</summary>
public static class NegativeBalances
{
    /// <summary>One account's net change on one day, in cents.</summary>
    public readonly record struct Change(Guid Account, DateOnly Day, long NetCents);

    /// <summary>
    /// For each day of <paramref name="period"/>: how many accounts end the day below zero, given their balances
    /// before the period (<paramref name="opening"/>, in cents) and their changes during it.
    /// </summary>
    public static IReadOnlyList<(DateOnly Day, int InNegative)> ByDay(IReadOnlyDictionary<Guid, long> opening, IEnumerable<Change> changes, Period period)
    {
        var balances = new Dictionary<Guid, long>(opening);
        var byDay = changes.Where(c => c.Day >= period.From && c.Day <= period.To).ToLookup(c => c.Day);
        var result = new List<(DateOnly, int)>(period.Days);
        foreach (var day in period.EachDay())
        {
            foreach (var change in byDay[day])
                balances[change.Account] = balances.GetValueOrDefault(change.Account) + change.NetCents;
            result.Add((day, balances.Values.Count(b => b < 0)));
        }
        return result;
    }
}
