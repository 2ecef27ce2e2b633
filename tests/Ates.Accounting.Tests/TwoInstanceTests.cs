using Ates.Accounting.Billing.ClosingDay;
using Ates.Contracts;
using Ates.Messaging.Envelope;
using Ates.Messaging.Inbox;
using Ates.Messaging.Transports;
using Microsoft.Extensions.DependencyInjection;
using Ates.LocalServers;
using Ates.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;
using Ates.Accounting.Billing;
using Ates.Accounting.Emails;

namespace Ates.Accounting.Tests;

/// <summary>Two instances of Accounting on one PostgreSQL database consuming the same days at once.</summary>
public sealed class TwoInstanceTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>What one instance fed the script in order comes to.</summary>
    static async Task<string> InOrderAsync(ScriptedDay script)
    {
        await using var single = Priced(new AccountingApp(), script);
        await single.DeliverAsync(script.InOrder, batch: 1);
        return await single.EndStateAsync();
    }

    static AccountingApp Priced(AccountingApp app, ScriptedDay script)
    {
        foreach (var (task, prices) in script.Script.Prices) app.Prices.Prices[task] = prices;
        return app;
    }

    /// <summary>Two started instances on one new PostgreSQL database, with one clock and the script's prices.</summary>
    async Task<(AccountingApp A, AccountingApp B)> TwoInstancesAsync(ScriptedDay script, Action<IServiceCollection>? extra = null)
    {
        var database = $"postgres:{await postgres.CreateUniqueDatabaseAsync("accounting", Ct)}";
        var clock = new FakeTimeProvider(AccountingApp.Start);
        var a = Priced(new AccountingApp { Time = clock, Settings = [("Accounting:Database", database)], ExtraServices = extra }, script);
        var b = Priced(new AccountingApp { Time = clock, Settings = [("Accounting:Database", database)], ExtraServices = extra }, script);
        await Task.WhenAll(Task.Run(() => a.Server, Ct), Task.Run(() => b.Server, Ct));
        return (a, b);
    }

    /// <summary>The events split between the instances and handled at the same time; half of them delivered to both.</summary>
    static async Task SplitAsync(Random random, AccountingApp a, AccountingApp b, IEnumerable<EventEnvelope> events)
    {
        List<EventEnvelope> forA = [], forB = [];
        foreach (var e in events)
        {
            (random.Next(2) == 0 ? forA : forB).Add(e);
            if (random.Next(2) == 0) (random.Next(2) == 0 ? forA : forB).Add(e);
        }
        random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(forA));
        random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(forB));
        await Task.WhenAll(Task.Run(() => a.DeliverWithRetriesAsync(forA), Ct), Task.Run(() => b.DeliverWithRetriesAsync(forB), Ct));
    }

    [Fact]
    public async Task The_next_days_completions_before_the_days_marker_are_paid_with_the_next_day()
    {
        var script = new ScriptedDay();
        var expected = await InOrderAsync(script);
        var (a, b) = await TwoInstancesAsync(script);
        await using var _ = a;
        await using var __ = b;

        // Day 2's task events — its completions too — reach both instances before day 1's marker does.
        var random = new Random(20261201);
        await SplitAsync(random, a, b, [.. script.Users, .. script.Day1Tasks]);
        await SplitAsync(random, a, b, script.Day2Tasks);
        Assert.Null(await a.DbAsync(db => db.Days.AsNoTracking().FirstOrDefaultAsync(d => d.IsClosed, Ct)));
        await SplitAsync(random, a, b, [script.Day1Marker, script.Day2Marker]);

        Assert.Equal(expected, await a.EndStateAsync());
        // W1's day-2 reward for T5 is not in day 1's payout: W1 ends day 1 at −10 and is paid 7 at day 2's close.
        Assert.Equal((-10m, 7m), (await a.DayAccountsAsync(ScriptedDay.Day1))[ScriptedDay.W1] is var w1 ? (w1.Closing, (await a.DayAccountsAsync(ScriptedDay.Day2))[ScriptedDay.W1].Paid) : default);
    }

    [Fact]
    public async Task A_marker_that_failed_once_and_came_back_after_the_next_days_events_closes_its_day_as_in_order()
    {
        var script = new ScriptedDay();
        var expected = await InOrderAsync(script);
        var failures = new FailOnce(script.Day1Marker.Id);
        var (a, b) = await TwoInstancesAsync(script, services => services.AddSingleton(failures)
            .AddScoped<IEventHandler<TasksDayClosed>>(sp => new FailingMarkerHandler(ActivatorUtilities.CreateInstance<DayClosedHandler>(sp), sp.GetRequiredService<FailOnce>())));
        await using var _ = a;
        await using var __ = b;

        var random = new Random(20261202);
        await SplitAsync(random, a, b, [.. script.Users, .. script.Day1Tasks]);
        // The marker fails on its first attempt and goes to the retry path; day 2's events are handled meanwhile.
        Assert.Equal(ConsumeOutcome.RetryLater, await a.ConsumeAsync(script.Day1Marker, attempt: 1));
        await SplitAsync(random, a, b, script.Day2Tasks);
        Assert.Equal(ConsumeOutcome.Handled, await b.ConsumeAsync(script.Day1Marker, attempt: 2));
        await SplitAsync(random, a, b, [script.Day2Marker]);

        Assert.True(failures.Failed);
        Assert.Equal(expected, await a.EndStateAsync());
    }

    /// <summary>Fails the first attempt at one event, as a broken connection or a deadlock would.</summary>
    sealed class FailOnce(Guid eventId)
    {
        int _failed;
        public bool Failed => _failed == 1;
        public bool ShouldFail(Guid id) => id == eventId && Interlocked.Exchange(ref _failed, 1) == 0;
    }

    sealed class FailingMarkerHandler(DayClosedHandler inner, FailOnce failures) : IEventHandler<TasksDayClosed>
    {
        public Task HandleAsync(TasksDayClosed e, EventContext context, CancellationToken ct) =>
            failures.ShouldFail(context.EventId) ? throw new InvalidOperationException("The marker's first attempt fails.") : inner.HandleAsync(e, context, ct);
    }

    [Fact]
    public async Task Two_instances_consuming_at_once_come_to_the_same_end_state_as_one()
    {
        var script = new ScriptedDay();
        var expected = await InOrderAsync(script);
        var (a, b) = await TwoInstancesAsync(script);
        await using var _ = a;
        await using var __ = b;

        // Each day's events split between the instances, handled at the same time; half of them delivered to both.
        var random = new Random(20260304);
        await SplitAsync(random, a, b, [.. script.Users, .. script.Day1Tasks, script.Day1Marker]);
        await SplitAsync(random, a, b, [.. script.Day2Tasks, script.Day2Marker]);

        Assert.Equal(expected, await a.EndStateAsync());
        // Both senders run; each email is written once, by one of them. A payout email recorded before its popug's
        // user.created was handled (day 1's users are handled in parallel with its close) waits out a backoff first.
        // Five minutes: past any failed email's backoff (Mail:MaxBackoff), within a claim (Mail:ClaimTimeout, 10 min).
        a.Time.Advance(TimeSpan.FromMinutes(5)); // one clock for both, as two real instances share the time of day
        await Eventually.UntilAsync(() => a.DbAsync(db => db.Emails.AllAsync(e => e.SentAt != null, Ct)), TimeSpan.FromSeconds(30), "every email should be sent", Ct);
        var emails = await a.DbAsync(db => db.Emails.Select(e => e.Id).ToListAsync(Ct));
        var files = new[] { a.MailFolder, b.MailFolder }.Where(Directory.Exists).SelectMany(Directory.GetFiles).Select(Path.GetFileName).ToList();
        Assert.Equal(emails.Select(id => $"{id:N}.eml").Order(), files.Order());
    }
}
