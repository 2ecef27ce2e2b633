using Ates.Analytics.Reports;
using Ates.Analytics.Reports.History;
using Ates.Analytics.Reports.MostExpensiveTask;
using Ates.Analytics.Reports.NegativeBalances;

namespace Ates.Analytics.Tests;

/// <summary>The report rules on their own: periods, labels, money, the most expensive pick, negative balances, the chart.</summary>
public sealed class ReportRuleTests
{
    static DateOnly D(int month, int day, int year = 2026) => new(year, month, day);

    [Fact]
    public void A_week_runs_monday_to_sunday_and_a_month_from_its_first_to_its_last_day()
    {
        Assert.Equal(new Period(D(3, 2), D(3, 8)), Period.WeekOf(D(3, 5)));
        Assert.Equal(new Period(D(3, 2), D(3, 8)), Period.WeekOf(D(3, 2)));
        Assert.Equal(new Period(D(3, 2), D(3, 8)), Period.WeekOf(D(3, 8)));
        Assert.Equal(new Period(D(12, 28, 2026), D(1, 3, 2027)), Period.WeekOf(D(1, 1, 2027)));
        Assert.Equal(new Period(D(2, 1), D(2, 28)), Period.MonthOf(D(2, 14)));
        Assert.Equal(new Period(D(2, 1, 2028), D(2, 29, 2028)), Period.MonthOf(D(2, 29, 2028)));
        Assert.Equal(7, Period.WeekOf(D(3, 5)).Days);
        Assert.Throws<ArgumentException>(() => new Period(D(3, 3), D(3, 1)));
    }

    [Fact]
    public void Labels_read_as_the_spec_writes_them()
    {
        Assert.Equal("3 March — $28", MostExpensive.Sentence(Period.Day(D(3, 3)), Priced(28), 2026));
        Assert.Equal("1–3 March — $38", MostExpensive.Sentence(new Period(D(3, 1), D(3, 3)), Priced(38), 2026));
        Assert.Equal("3 March — no task completed", MostExpensive.Sentence(Period.Day(D(3, 3)), null, 2026));
        Assert.Equal("28 February – 3 March", new Period(D(2, 28), D(3, 3)).Label(2026));
        Assert.Equal("3 March 2025", Period.Day(D(3, 3, 2025)).Label(2026));
        Assert.Equal("28 December 2025 – 3 January 2026", new Period(D(12, 28, 2025), D(1, 3)).Label(2026));
    }

    [Fact]
    public void Money_is_whole_cents_shown_in_dollars()
    {
        Assert.Equal(-1234, Money.ToCents(-12.34m));
        Assert.Equal(12.34m, Money.FromCents(1234));
        Assert.Throws<ArgumentException>(() => Money.ToCents(0.001m));
        Assert.Equal("$28", Money.Format(28m));
        Assert.Equal("$28.50", Money.Format(28.5m));
        Assert.Equal("−$1,234.05", Money.Format(-1234.05m));
        Assert.Equal("$0", Money.Format(0m));
    }

    [Fact]
    public void Management_earnings_are_fees_minus_rewards_and_payouts_do_not_count()
    {
        var day = DayTotals.FromSigned(D(3, 3), feeAmounts: -25, rewardAmounts: 50, payoutAmounts: -25);
        Assert.Equal((25m, 50m, 25m, -25m), (day.AssignFees, day.Rewards, day.Payouts, day.ManagementEarnings));
    }

    [Fact]
    public void The_most_expensive_task_is_the_highest_reward_and_a_tie_goes_to_the_first_completed_then_the_lower_id()
    {
        var a = Priced(30, D(3, 2), Guid.Parse("00000000-0000-0000-0000-00000000000b"));
        var b = Priced(30, D(3, 1), Guid.Parse("00000000-0000-0000-0000-00000000000c"));
        var c = Priced(30, D(3, 1), Guid.Parse("00000000-0000-0000-0000-00000000000a"));
        var cheap = Priced(29.99m, D(2, 1));
        Assert.Same(c, MostExpensive.Pick([a, b, cheap, c]));
        Assert.Same(c, MostExpensive.Pick([c, cheap, b, a]));
        Assert.Same(cheap, MostExpensive.Pick([cheap]));
        Assert.Null(MostExpensive.Pick([]));
    }

    [Fact]
    public void A_balance_is_every_posting_to_date_and_the_count_is_taken_at_each_days_end()
    {
        Guid p1 = Guid.NewGuid(), p2 = Guid.NewGuid(), p3 = Guid.NewGuid();
        var opening = new Dictionary<Guid, long> { [p1] = -500, [p2] = 0 };
        var changes = new NegativeBalances.Change[]
        {
            new(p1, D(3, 2), 700),  // back above zero
            new(p2, D(3, 2), -100), // into the negative
            new(p3, D(3, 3), -1),
            new(p2, D(3, 3), 100),  // exactly zero is not negative
            new(p1, D(3, 9), -5000), // outside the period: ignored
        };
        var counts = NegativeBalances.ByDay(opening, changes, new Period(D(3, 1), D(3, 4)));
        Assert.Equal([(D(3, 1), 1), (D(3, 2), 1), (D(3, 3), 1), (D(3, 4), 1)], counts);
        Assert.Equal([(D(3, 2), 1)], NegativeBalances.ByDay(new Dictionary<Guid, long>(), changes, Period.Day(D(3, 2))));
    }

    [Fact]
    public void Query_parameters_give_a_day_week_month_or_range_and_say_what_is_wrong()
    {
        var today = D(3, 12);
        Assert.Equal(Period.Day(today), PeriodQuery.Parse(null, null, null, null, today).Period);
        Assert.Equal(Period.WeekOf(D(3, 3)), PeriodQuery.Parse("week", "2026-03-03", null, null, today).Period);
        Assert.Equal(Period.MonthOf(today), PeriodQuery.Parse("month", null, null, null, today).Period);
        Assert.Equal(new Period(D(3, 1), D(3, 3)), PeriodQuery.Parse(null, null, "2026-03-01", "2026-03-03", today).Period);
        Assert.Equal(new Period(D(3, 1), D(3, 3)), PeriodQuery.Parse("range", null, "2026-03-01", "2026-03-03", today).Period);

        Assert.Contains("to", PeriodQuery.Parse(null, null, "2026-03-03", "2026-03-01", today).Errors.Keys);
        Assert.Contains("to", PeriodQuery.Parse(null, null, "2026-03-01", null, today).Errors.Keys);
        Assert.Contains("to", PeriodQuery.Parse(null, null, "2025-01-01", "2026-03-01", today).Errors.Keys);
        Assert.Contains("date", PeriodQuery.Parse("day", "03/03/2026", null, null, today).Errors.Keys);
        Assert.Contains("date", PeriodQuery.Parse("day", "2026-02-30", null, null, today).Errors.Keys);
        Assert.Contains("period", PeriodQuery.Parse("year", null, null, null, today).Errors.Keys);
        Assert.Contains("period", PeriodQuery.Parse("week", null, "2026-03-01", "2026-03-02", today).Errors.Keys);
        Assert.Null(PeriodQuery.Parse("year", null, null, null, today).Period);
    }

    [Fact]
    public void The_chart_draws_losses_below_the_zero_line_in_red_with_round_dollar_ticks()
    {
        Assert.Equal([-30m, -20m, -10m, 0m, 10m], EarningsChart.Ticks(-28, 7));
        Assert.Equal([0m, 10m], EarningsChart.Ticks(0, 0));
        Assert.Equal([0m, 50m, 100m, 150m, 200m], EarningsChart.Ticks(0, 180));

        var svg = EarningsChart.Render([(D(3, 2), -28m), (D(3, 3), 7m), (D(3, 4), 0m)]);
        Assert.StartsWith("<svg", svg);
        Assert.Contains("<title>2 March: −$28</title>", svg);
        Assert.Contains("<title>3 March: $7</title>", svg);
        Assert.Contains(">−$30</text>", svg);
        Assert.Contains(">2 Mar</text>", svg);
        // The loss's bar hangs from the zero line down; the earning's stands on it.
        var zero = System.Text.RegularExpressions.Regex.Match(svg, "stroke=\"#5f6f67\"").Success;
        Assert.True(zero);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(svg, "fill=\"#b3261e\""));
        System.Xml.Linq.XDocument.Parse(svg); // well-formed
    }

    static PricedTask Priced(decimal price, DateOnly? day = null, Guid? id = null) =>
        new(id ?? Guid.NewGuid(), "UBERPOP-1", "A task", price, day ?? D(3, 3));
}
