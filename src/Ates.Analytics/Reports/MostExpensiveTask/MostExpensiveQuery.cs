using Ates.Analytics.Data;
using Ates.Contracts;
using Microsoft.EntityFrameworkCore;

namespace Ates.Analytics.Reports.MostExpensiveTask;

public static class MostExpensiveQuery
{
    public static async Task<PricedTask?> MostExpensiveAsync(this AnalyticsDb db, Period period, CancellationToken ct)
    {
        var rewards = Rewards(db, period);
        var top = await rewards.MaxAsync(p => (long?)p.AmountCents, ct);
        if (top is null) return null;
        return MostExpensive.Pick(await PricedAsync(db, rewards.Where(p => p.AmountCents == top), ct));
    }

    /// <summary>The most expensive task of each day of the period that has one.</summary>
    public static async Task<IReadOnlyDictionary<DateOnly, PricedTask>> MostExpensiveByDayAsync(this AnalyticsDb db, Period period, CancellationToken ct)
    {
        var rewards = Rewards(db, period);
        var dayTops = rewards.GroupBy(p => p.Day).Select(g => new { Day = g.Key, Top = g.Max(p => p.AmountCents) });
        var candidates = from p in rewards
                         join t in dayTops on new { p.Day, Cents = p.AmountCents } equals new { t.Day, Cents = t.Top }
                         select p;
        return (await PricedAsync(db, candidates, ct)).GroupBy(t => t.Day).ToDictionary(g => g.Key, g => MostExpensive.Pick(g)!);
    }

    static IQueryable<PostingFact> Rewards(AnalyticsDb db, Period period) =>
        db.Postings.AsNoTracking().Where(p => p.Kind == TransactionKind.Reward && p.TaskId != null && p.Day >= period.From && p.Day <= period.To);

    static async Task<List<PricedTask>> PricedAsync(AnalyticsDb db, IQueryable<PostingFact> postings, CancellationToken ct)
    {
        // A placeholder (the task's task.created not in yet) has no title to show.
        var rows = await (from p in postings
                          join t in db.Tasks on p.TaskId equals t.TaskId into known
                          from t in known.DefaultIfEmpty()
                          select new { p.TaskId, p.AmountCents, p.Day, JiraId = t == null ? null : t.JiraId, Title = t == null || t.EntityVersion == 0 ? null : t.Title })
            .ToListAsync(ct);
        return rows.Select(x => new PricedTask(x.TaskId!.Value, x.JiraId, x.Title, Money.FromCents(x.AmountCents), x.Day)).ToList();
    }
}
