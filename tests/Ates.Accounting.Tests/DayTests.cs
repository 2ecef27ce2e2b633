using Ates.Accounting.Ledger;
using Ates.Contracts;
using Ates.Messaging.Envelope;
using Ates.Messaging.Outbox;
using Ates.Messaging.Transports;
using Ates.LocalServers;
using Microsoft.EntityFrameworkCore;
using static Ates.Accounting.Tests.ScriptedDay;
using Ates.Accounting.Emails;

namespace Ates.Accounting.Tests;

/// <summary>The scripted days fed through the consumer: balances, payouts and the close, to the cent.</summary>
public sealed class DayTests : IAsyncLifetime
{
    readonly ScriptedDay _script = new();
    readonly AccountingApp _app = new();
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync()
    {
        Price(_app);
        _ = _app.Server;
        return ValueTask.CompletedTask;
    }

    /// <summary>A second Accounting with the script's prices, to compare end states.</summary>
    AccountingApp PricedApp() => Price(new AccountingApp());

    AccountingApp Price(AccountingApp app)
    {
        foreach (var (task, prices) in _script.Script.Prices) app.Prices.Prices[task] = prices;
        return app;
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    [Fact]
    public async Task A_scripted_day_comes_to_the_cent()
    {
        await _app.DeliverAsync(_script.InOrder.ToArray());

        var day1 = await _app.DayAsync(Day1);
        Assert.NotNull(day1);
        Assert.True(day1.IsClosed);
        Assert.Equal((32m, 25m, 3), (day1.ManagementEarnings, day1.PayoutsTotal, day1.AccountsInNegative));
        var accounts1 = await _app.DayAccountsAsync(Day1);
        Assert.Equal((0m, -10m, 0m, -10m), Cycle(accounts1[W1]));
        Assert.Equal((0m, -35m, 0m, -35m), Cycle(accounts1[W2]));
        Assert.Equal((0m, 25m, 25m, 0m), Cycle(accounts1[W3]));
        Assert.Equal((0m, -12m, 0m, -12m), Cycle(accounts1[Accountant]));
        // Accounts for everyone who can be assigned, and no one else.
        Assert.Equal([W1, W2, W3, Accountant], accounts1.Keys.Order());

        var day2 = await _app.DayAsync(Day2);
        Assert.Equal((true, -47m, 7m, 2), (day2!.IsClosed, day2.ManagementEarnings, day2.PayoutsTotal, day2.AccountsInNegative));
        var accounts2 = await _app.DayAccountsAsync(Day2);
        Assert.Equal((-10m, 17m, 7m, 0m), Cycle(accounts2[W1]));
        Assert.Equal((-35m, 30m, 0m, -5m), Cycle(accounts2[W2]));
        Assert.Equal((0m, 0m, 0m, 0m), Cycle(accounts2[W3]));
        Assert.Equal((-12m, 0m, 0m, -12m), Cycle(accounts2[Accountant]));

        Assert.Equal(0m, await _app.BalanceAsync(W1));
        Assert.Equal(-5m, await _app.BalanceAsync(W2));
        Assert.Equal(0m, await _app.BalanceAsync(W3));
        Assert.Equal(-12m, await _app.BalanceAsync(Accountant));
        // The company holds what the popugs owe it: fees 110 − rewards 125 + payouts 32 = 17.
        Assert.Equal(17m, await _app.BalanceAsync(Account.CompanyId));
        Assert.Equal(0m, await _app.DbAsync(db => db.Entries.SumAsync(e => e.Amount, Ct)));
        // Every transaction is two entries that sum to zero.
        var unbalanced = await _app.DbAsync(db => db.Entries.GroupBy(e => e.TransactionId)
            .Select(g => new { g.Key, Count = g.Count(), Sum = g.Sum(e => e.Amount) }).Where(g => g.Count != 2 || g.Sum != 0).CountAsync(Ct));
        Assert.Equal(0, unbalanced);

        var payouts = await _app.DbAsync(db => db.Transactions.Where(t => t.Kind == TransactionKind.Payout)
            .Select(t => new { t.Day, t.AccountId, t.Amount }).ToListAsync(Ct));
        Assert.Equal([(Day1, W3, -25m), (Day2, W1, -7m)], payouts.Select(p => (p.Day, p.AccountId, p.Amount)).OrderBy(p => p.Day));

        // Every posting published: 7 fees + 4 rewards + 2 payouts, and one billing.cycle_closed per day.
        var outbox = await _app.DbAsync(db => db.Set<OutboxMessage>().AsNoTracking().OrderBy(m => m.Sequence).ToListAsync(Ct));
        Assert.Equal(13, outbox.Count(m => m.Type == "transaction.applied"));
        var cycles = outbox.Where(m => m.Type == "billing.cycle_closed").Select(m => (BillingCycleClosed)EventRegistry.Default.Read("billing.cycle_closed", 1, m.Data)).ToList();
        Assert.Equal([(Day1, 32m, 25m, 3), (Day2, -47m, 7m, 2)], cycles.Select(c => (c.Day, c.ManagementEarnings, c.PayoutsTotal, c.AccountsInNegative)));

        // One email per paid popug and one report per day; the pickup folder gets exactly those, each once.
        var emails = await _app.DbAsync(db => db.Emails.AsNoTracking().ToListAsync(Ct));
        Assert.Equal(4, emails.Count);
        await Eventually.UntilAsync(() => _app.DbAsync(db => db.Emails.AllAsync(e => e.SentAt != null, Ct)), TimeSpan.FromSeconds(30), "every email should be sent", Ct);
        var files = Directory.GetFiles(_app.MailFolder);
        Assert.Equal(emails.Select(e => $"{e.Id:N}.eml").Order(), files.Select(Path.GetFileName).Order());
        var w3Mail = await MimeKit.MimeMessage.LoadAsync(Path.Combine(_app.MailFolder, $"{emails.Single(e => e.RecipientId == W3).Id:N}.eml"), Ct);
        Assert.Equal("worker.three@popug.inc", w3Mail.To.Mailboxes.Single().Address);
        Assert.Contains("$25.00", w3Mail.Subject);
        var report = await MimeKit.MimeMessage.LoadAsync(Path.Combine(_app.MailFolder, $"{emails.Single(e => e.Day == Day1 && e.RecipientId == null).Id:N}.eml"), Ct);
        Assert.Equal(["ada.admin@popug.inc", "alice.accountant@popug.inc"], report.To.Mailboxes.Select(m => m.Address).Order());
        Assert.Contains("Management earnings: $32.00", report.TextBody);
        Assert.Contains("Accounts in the negative: 3", report.TextBody);
    }

    [Fact]
    public async Task Every_event_twice_and_out_of_order_comes_to_the_same_end_state()
    {
        await _app.DeliverAsync(_script.InOrder.ToArray());
        var expected = await _app.EndStateAsync();

        await using var second = PricedApp();
        var random = new Random(20260303);
        // Anything goes: completions before creations, assignments before the user exists, the marker first, and
        // (below) day 2's events before day 1's marker.
        var day1 = Shuffle(random, [.. _script.Users, .. _script.Day1Tasks, _script.Day1Marker]);
        // Whatever the shuffle did: T1's completion comes first of all, W1's user.created last of day 1.
        var t1Completed = _script.Day1Tasks.Single(e => e.Type == "task.completed" && e.PartitionKey == T1.ToString());
        var w1Created = _script.Users.Single(e => e.PartitionKey == W1.ToString());
        day1.Remove(t1Completed);
        day1.Remove(w1Created);
        day1 = [t1Completed, .. day1, w1Created];
        var day2 = Shuffle(random, [.. _script.Day2Tasks, _script.Day2Marker]);
        // Day 1's marker goes last of day 1; day 2's task events come before it. Every event is delivered again later,
        // day 1's copies mixed into day 2's deliveries.
        day1.Remove(_script.Day1Marker);
        day2.Remove(_script.Day2Marker);
        List<EventEnvelope> deliveries = [.. day1, .. day2, _script.Day1Marker, _script.Day2Marker,
            .. Interleave(random, Shuffle(random, [.. day1, _script.Day1Marker]), day2), .. Shuffle(random, day2)];

        var outcomes = await second.DeliverAsync(deliveries, batch: 3);
        Assert.Equal(_script.InOrder.Count(), outcomes.Count(o => o == ConsumeOutcome.Handled));
        Assert.Equal(expected, await second.EndStateAsync());
    }

    [Fact]
    public async Task Both_days_in_one_batch_come_to_the_same_end_state_as_one_event_at_a_time()
    {
        await _app.DeliverAsync(_script.InOrder.ToArray());
        var expected = await _app.EndStateAsync();

        // One consumer transaction has both days' events and markers; after its commit both days close, in order.
        await using var batched = PricedApp();
        var all = _script.InOrder.ToList();
        var outcomes = await batched.DeliverAsync(all, batch: all.Count);
        Assert.All(outcomes, o => Assert.Equal(ConsumeOutcome.Handled, o));
        Assert.Equal(expected, await batched.EndStateAsync());
    }

    [Fact]
    public async Task A_marker_before_late_task_events_waits_for_them_and_includes_them()
    {
        var late = _script.T2Completed;
        await _app.DeliverAsync([.. _script.Users, .. _script.Day1Tasks.Where(e => e != late), _script.Day1Marker]);
        Assert.False((await _app.DayAsync(Day1))!.IsClosed);

        // A task event of day 2 arrives while day 1 waits: it belongs to day 2, not to day 1's payout.
        var day2Assignment = _script.Day2Tasks.Single(e => e.Type == "task.assigned");
        await _app.DeliverAsync(_script.Day2Tasks.Single(e => e.Type == "task.created"), day2Assignment);
        Assert.False((await _app.DayAsync(Day1))!.IsClosed);
        // A second copy of the marker changes nothing.
        await _app.DeliverAsync(_script.Day1Marker);
        Assert.False((await _app.DayAsync(Day1))!.IsClosed);

        await _app.DeliverAsync(late);
        var day1 = await _app.DayAsync(Day1);
        Assert.True(day1!.IsClosed);
        Assert.Equal((32m, 25m, 3), (day1.ManagementEarnings, day1.PayoutsTotal, day1.AccountsInNegative));
        var accounts = await _app.DayAccountsAsync(Day1);
        Assert.Equal((0m, 25m, 25m, 0m), Cycle(accounts[W3]));
        Assert.Equal((0m, -10m, 0m, -10m), Cycle(accounts[W1]));
        Assert.Equal(-28m, await _app.BalanceAsync(W1));
        Assert.Equal(Day2, await _app.DbAsync(db => db.Transactions.Where(t => t.TaskId == T5).Select(t => t.Day).SingleAsync(Ct)));
    }

    [Fact]
    public async Task A_v1_completion_which_names_no_day_is_posted_by_its_time_or_to_the_open_day_once_that_is_closed()
    {
        await _app.DeliverAsync([.. _script.Users, .. _script.Day1Tasks, _script.Day1Marker]);
        Assert.True((await _app.DayAsync(Day1))!.IsClosed);

        // Published before task events named their day; its time is still on day 1, which is closed: day 2 gets it.
        var late = _script.Script.CompletedV1(T3, W2);
        Assert.Equal(("task.completed", 1), (late.Type, late.Version));
        await _app.DeliverAsync(late);
        Assert.Equal(Day2, await _app.DbAsync(db => db.Transactions.Where(t => t.TaskId == T3 && t.Kind == TransactionKind.Reward)
            .Select(t => t.Day).SingleAsync(Ct)));
    }

    static (decimal, decimal, decimal, decimal) Cycle(Billing.DayAccount a) => (a.Opening, a.Earned, a.Paid, a.Closing);

    static List<EventEnvelope> Shuffle(Random random, IEnumerable<EventEnvelope> events)
    {
        var list = events.ToList();
        random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(list));
        return list;
    }

    /// <summary>Redelivered copies of day 1 mixed into day 2's first delivery, keeping day 2's own order.</summary>
    static List<EventEnvelope> Interleave(Random random, List<EventEnvelope> copies, List<EventEnvelope> day2)
    {
        var result = new List<EventEnvelope>(day2);
        foreach (var copy in copies) result.Insert(random.Next(result.Count + 1), copy);
        return result;
    }
}
