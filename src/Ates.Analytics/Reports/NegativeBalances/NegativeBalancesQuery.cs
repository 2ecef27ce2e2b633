using Ates.Analytics.Data;
using Microsoft.EntityFrameworkCore;

namespace Ates.Analytics.Reports.NegativeBalances;

public static class NegativeBalancesQuery
{
    /// <summary>How many popugs end each day of the period with a negative balance.</summary>
    public static async Task<IReadOnlyList<(DateOnly Day, int InNegative)>> InNegativeByDayAsync(this AnalyticsDb db, Period period, CancellationToken ct)
    {
        var opening = await db.Postings.AsNoTracking()
            .Where(p => p.Day < period.From)
            .GroupBy(p => p.AccountId)
            .Select(g => new { Account = g.Key, Cents = g.Sum(p => p.AmountCents) })
            .ToDictionaryAsync(x => x.Account, x => x.Cents, ct);
        var changes = await db.Postings.AsNoTracking()
            .Where(p => p.Day >= period.From && p.Day <= period.To)
            .GroupBy(p => new { p.AccountId, p.Day })
            .Select(g => new { g.Key.AccountId, g.Key.Day, Cents = g.Sum(p => p.AmountCents) })
            .ToListAsync(ct);
        return NegativeBalances.ByDay(opening, changes.Select(c => new NegativeBalances.Change(c.AccountId, c.Day, c.Cents)), period);
    }

    public static async Task<int> InNegativeAsync(this AnalyticsDb db, DateOnly day, CancellationToken ct) =>
        (await db.InNegativeByDayAsync(Period.Day(day), ct))[0].InNegative;
}
