using Ates.Messaging.Envelope;
using Ates.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;

namespace Ates.Accounting.Tests;

/// <summary>Two instances of Accounting on one PostgreSQL database consuming the same days at once.</summary>
public sealed class TwoInstanceTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Two_instances_consuming_at_once_come_to_the_same_end_state_as_one()
    {
        var script = new ScriptedDay();
        string expected;
        await using (var single = new AccountingApp())
        {
            foreach (var (task, prices) in script.Script.Prices) single.Prices.Prices[task] = prices;
            await single.DeliverAsync(script.InOrder, batch: 1);
            expected = await single.EndStateAsync();
        }

        var database = $"postgres:{postgres.ConnectionString(await postgres.CreateUniqueDatabaseAsync("accounting", Ct))}";
        // One clock for both, as two real instances share the time of day.
        var clock = new FakeTimeProvider(AccountingApp.Start);
        await using var a = new AccountingApp { Time = clock, Settings = [("Accounting:Database", database)] };
        await using var b = new AccountingApp { Time = clock, Settings = [("Accounting:Database", database)] };
        foreach (var app in new[] { a, b })
            foreach (var (task, prices) in script.Script.Prices) app.Prices.Prices[task] = prices;
        await Task.WhenAll(Task.Run(() => a.Server, Ct), Task.Run(() => b.Server, Ct));

        // Each day's events split between the instances, handled at the same time; half of them delivered to both.
        // (A day's marker reaches Accounting before the next day's task events: the documented assumption.)
        var random = new Random(20260304);
        List<EventEnvelope>[] days = [[.. script.Users, .. script.Day1Tasks, script.Day1Marker], [.. script.Day2Tasks, script.Day2Marker]];
        foreach (var day in days)
        {
            List<EventEnvelope> forA = [], forB = [];
            foreach (var e in day)
            {
                (random.Next(2) == 0 ? forA : forB).Add(e);
                if (random.Next(2) == 0) (random.Next(2) == 0 ? forA : forB).Add(e);
            }
            random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(forA));
            random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(forB));
            await Task.WhenAll(Task.Run(() => a.DeliverWithRetriesAsync(forA), Ct), Task.Run(() => b.DeliverWithRetriesAsync(forB), Ct));
        }

        Assert.Equal(expected, await a.EndStateAsync());
        // Both senders run; each email is written once, by one of them. A payout email recorded before its popug's
        // user.created was handled (day 1's users are handled in parallel with its close) waits out a backoff first.
        // Five minutes: past any failed email's backoff (Mail:MaxBackoff), within a claim (Mail:ClaimTimeout, 10 min).
        clock.Advance(TimeSpan.FromMinutes(5));
        await Eventually.UntilAsync(() => a.DbAsync(db => db.Emails.AllAsync(e => e.SentAt != null, Ct)), TimeSpan.FromSeconds(30), "every email should be sent", Ct);
        var emails = await a.DbAsync(db => db.Emails.Select(e => e.Id).ToListAsync(Ct));
        var files = new[] { a.MailFolder, b.MailFolder }.Where(Directory.Exists).SelectMany(Directory.GetFiles).Select(Path.GetFileName).ToList();
        Assert.Equal(emails.Select(id => $"{id:N}.eml").Order(), files.Order());
    }
}
