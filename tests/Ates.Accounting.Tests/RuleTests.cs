using Ates.Accounting.Billing;
using Ates.Accounting.Billing.ClosingDay;
using Ates.Accounting.Emails;
using Ates.Accounting.Ledger;
using Ates.Accounting.Pricing;
using Ates.Accounting.TaskCharges;
using Ates.Contracts;

namespace Ates.Accounting.Tests;

/// <summary>The pure rules: prices, postings, which day an event belongs to, and what a close decides.</summary>
public sealed class RuleTests
{
    static readonly DateOnly D = new(2026, 3, 3);

    [Fact]
    public void Random_prices_are_whole_dollars_in_range_and_cover_the_range()
    {
        var source = new RandomPriceSource();
        var draws = Enumerable.Range(0, 5000).Select(_ => source.PricesFor(Guid.NewGuid())).ToList();
        Assert.All(draws, p =>
        {
            Assert.InRange(p.AssignFee, 10m, 20m);
            Assert.InRange(p.Reward, 20m, 40m);
            Assert.Equal(decimal.Truncate(p.AssignFee), p.AssignFee);
            Assert.Equal(decimal.Truncate(p.Reward), p.Reward);
        });
        // Every whole-dollar value comes up (11 fees, 21 rewards; each missing with probability < 1e-18).
        Assert.Equal(Enumerable.Range(10, 11).Select(i => (decimal)i), draws.Select(p => p.AssignFee).Distinct().Order());
        Assert.Equal(Enumerable.Range(20, 21).Select(i => (decimal)i), draws.Select(p => p.Reward).Distinct().Order());
    }

    [Theory]
    [InlineData(9, 30)]
    [InlineData(21, 30)]
    [InlineData(10.5, 30)]
    [InlineData(15, 19)]
    [InlineData(15, 41)]
    public void Prices_out_of_range_or_not_whole_are_refused(decimal fee, decimal reward) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => TaskPrices.Checked(fee, reward));

    [Fact]
    public void A_tasks_prices_never_change_and_only_a_newer_snapshot_is_taken()
    {
        var task = new BillableTask { Id = Guid.NewGuid(), AssignFee = 12, Reward = 30 };
        Assert.True(task.Apply("Fix the beak", "UBERPOP-1", 2));
        Assert.False(task.Apply("Older title", null, 1));
        Assert.Equal(("Fix the beak", "UBERPOP-1", 12m, 30m), (task.Title, task.JiraId, task.AssignFee, task.Reward));
    }

    [Theory]
    [InlineData(TransactionKind.AssignFee, 15, -15)]
    [InlineData(TransactionKind.Reward, 30, 30)]
    [InlineData(TransactionKind.Payout, 12.34, -12.34)]
    public void A_posting_is_two_entries_that_sum_to_zero(TransactionKind kind, decimal amount, decimal popugSide)
    {
        var account = Guid.NewGuid();
        var transaction = new LedgerTransaction { Id = Guid.NewGuid(), Key = "k", Kind = kind, AccountId = account, Amount = Posting.SignedAmount(kind, amount), Day = D };
        var (popug, company) = Posting.Entries(transaction);
        Assert.Equal((account, popugSide), (popug.AccountId, popug.Amount));
        Assert.Equal((Account.CompanyId, -popugSide), (company.AccountId, company.Amount));
        Assert.Equal(0m, popug.Amount + company.Amount);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    [InlineData(1.005)]
    public void A_posting_moves_a_positive_sum_in_whole_cents(decimal amount) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Posting.SignedAmount(TransactionKind.Reward, amount));

    [Fact]
    public void A_movement_belongs_to_the_day_Tasks_wrote_its_event_in_unless_that_day_is_closed()
    {
        Assert.Equal(D.AddDays(1), DayRule.PostingDay(billingDay: D.AddDays(1), dayOfEventTime: D, openDay: D)); // ahead of D's marker
        Assert.Equal(D, DayRule.PostingDay(D, D, openDay: D));
        Assert.Equal(D, DayRule.PostingDay(D.AddDays(-1), D, openDay: D)); // late for a day closed by hand: the open day
        Assert.Equal(D.AddDays(2), DayRule.PostingDay(null, dayOfEventTime: D.AddDays(2), openDay: D)); // v1: by its time
        Assert.Equal(D, DayRule.PostingDay(null, dayOfEventTime: D.AddDays(-3), openDay: D));
    }

    [Fact]
    public void The_open_day_closes_by_its_own_marker_or_by_a_later_one_that_leaves_no_event_between()
    {
        DayMarker Marker(DateOnly day, long previous, long last) => new() { Day = day, PreviousSequence = previous, LastSequence = last, TaskEvents = last - previous };
        var own = Marker(D, 10, 50);
        var next = Marker(D.AddDays(1), 50, 70);
        Assert.Null(DayRule.MarkerToClose(D, [], coveredUpTo: 10));
        Assert.Same(own, DayRule.MarkerToClose(D, [next, own], coveredUpTo: 10));
        // D+1's marker came before D's: D waits for its own, whatever D+1's says.
        Assert.Null(DayRule.MarkerToClose(D, [next], coveredUpTo: 10));
        // Tasks' first day came after the open day: its first marker starts where the known ones end.
        Assert.Same(next, DayRule.MarkerToClose(D, [next], coveredUpTo: 50));
        var first = Marker(D.AddDays(2), 0, 20);
        Assert.Same(first, DayRule.MarkerToClose(D, [first], coveredUpTo: 0));
    }

    [Fact]
    public void A_day_is_complete_when_the_count_is_reached_whatever_the_gaps()
    {
        // Sequences 11..50 with two rolled-back writes: 38 events.
        var marker = new DayMarker { Day = D, PreviousSequence = 10, LastSequence = 50, TaskEvents = 38 };
        Assert.False(DayRule.IsComplete(marker, 37));
        Assert.True(DayRule.IsComplete(marker, 38));
        Assert.True(DayRule.IsComplete(new DayMarker { Day = D, PreviousSequence = 50, LastSequence = 50, TaskEvents = 0 }, 0));
    }

    [Fact]
    public void A_close_pays_out_positive_balances_and_carries_negatives_over()
    {
        Guid a = Guid.Parse("00000000-0000-0000-0000-00000000000a"), b = Guid.Parse("00000000-0000-0000-0000-00000000000b"),
             c = Guid.Parse("00000000-0000-0000-0000-00000000000c"), d = Guid.Parse("00000000-0000-0000-0000-00000000000d");
        var result = DayClose.Compute(D, [
            new AccountDayBefore(a, 0m, 25.50m),   // earned: paid 25.50
            new AccountDayBefore(b, -40m, 15m),    // still negative: carried over
            new AccountDayBefore(c, -10m, 10m),    // exactly zero: nothing paid, not negative
            new AccountDayBefore(d, -12.25m, 30m), // back in the positive: paid what is above zero
        ]);
        Assert.Equal([
            new BillingCycleClosed.AccountCycle(a, 0m, 25.50m, 25.50m, 0m),
            new BillingCycleClosed.AccountCycle(b, -40m, 15m, 0m, -25m),
            new BillingCycleClosed.AccountCycle(c, -10m, 10m, 0m, 0m),
            new BillingCycleClosed.AccountCycle(d, -12.25m, 30m, 17.75m, 0m),
        ], result.Accounts);
        Assert.Equal(-80.50m, result.ManagementEarnings);
        Assert.Equal(43.25m, result.PayoutsTotal);
        Assert.Equal(1, result.AccountsInNegative);
        Assert.Equal([a, d], result.Paid.Select(p => p.AccountId));
        Assert.All(result.Accounts, x => Assert.Equal(x.Closing, x.Opening + x.Earned - x.Paid));
    }

    [Fact]
    public void Emails_say_the_sums_to_the_cent()
    {
        Assert.Equal("Your payout for 2026-03-03: $1,234.50", EmailText.Payout(D, 1234.5m).Subject);
        var report = EmailText.Report(DayClose.Compute(D, [new AccountDayBefore(Guid.Empty, -5m, -12m)]).Report(_ => "Worker One"));
        Assert.Contains("Management earnings: $12.00", report.Body);
        Assert.Contains("Payouts: $0.00 to 0 popugs", report.Body);
        Assert.Contains("Accounts in the negative: 1", report.Body);
        Assert.Contains("Worker One  -$17.00", report.Body);
    }
}
