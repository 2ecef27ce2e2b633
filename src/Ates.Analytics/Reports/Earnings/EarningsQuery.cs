using Ates.Analytics.Data;
using Ates.Contracts;
using Microsoft.EntityFrameworkCore;

namespace Ates.Analytics.Reports.Earnings;

public static class EarningsQuery
{
    /// <summary>Every day of the period, with zeros for a day without postings.</summary>
    public static async Task<IReadOnlyList<DayTotals>> DayTotalsAsync(this AnalyticsDb db, Period period, CancellationToken ct)
    {
        var sums = await db.Postings.AsNoTracking()
            .Where(p => p.Day >= period.From && p.Day <= period.To)
            .GroupBy(p => new { p.Day, p.Kind })
            .Select(g => new { g.Key.Day, g.Key.Kind, Cents = g.Sum(p => p.AmountCents) })
            .ToListAsync(ct);
        var byDayAndKind = sums.ToDictionary(s => (s.Day, s.Kind), s => s.Cents);
        decimal Sum(DateOnly day, TransactionKind kind) => Money.FromCents(byDayAndKind.GetValueOrDefault((day, kind)));
        return period.EachDay()
            .Select(day => DayTotals.FromSigned(day, Sum(day, TransactionKind.AssignFee), Sum(day, TransactionKind.Reward), Sum(day, TransactionKind.Payout)))
            .ToList();
    }
}
