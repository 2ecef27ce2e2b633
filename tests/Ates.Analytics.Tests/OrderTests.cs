using Ates.Messaging.Envelope;
using Ates.Messaging.Inbox;
using Ates.Messaging.Transports.Embedded;
using Microsoft.EntityFrameworkCore;

namespace Ates.Analytics.Tests;

/// <summary>
/// The fortnight's events, every one delivered twice (and every transaction once more under another event id), in
/// reverse or shuffled order, into a second Analytics: its reports equal those of the one fed in order.
/// </summary>
public sealed class OrderTests(PlayedWeek week) : IClassFixture<PlayedWeek>
{
    readonly Testbed _testbed = week.Testbed;
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("reversed")]
    [InlineData("shuffled")]
    public async Task Duplicated_and_reordered_events_give_the_same_reports(string order)
    {
        var envelopes = await EventFeed.LogsAsync(_testbed);
        // Accounting sending a transaction again as a new event: the transaction id still counts it once.
        var resent = envelopes.Where(e => e.Type == "transaction.applied").Select(e => e with { Id = Guid.NewGuid() }).ToList();
        List<EventEnvelope> deliveries = [.. envelopes, .. envelopes, .. resent];
        if (order == "reversed") deliveries.Reverse();
        else new Random(20260312).Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(deliveries));

        var database = Path.Combine(Path.GetTempPath(), $"ates-analytics-{order}-{Guid.NewGuid():N}.db");
        var other = await _testbed.BuildAnalyticsAsync($"sqlite:{database}", new EmbeddedBus());
        try
        {
            await EventFeed.FeedAsync(other, deliveries);
            Assert.Equal(envelopes.Count + resent.Count, await _testbed.DbAsync(db => db.Set<InboxMessage>().CountAsync(Ct), other));

            Assert.Equal(await Snapshots.TakeAsync(_testbed), await Snapshots.TakeAsync(_testbed, other));
        }
        finally
        {
            await Testbed.StopAnalyticsAsync(other, database);
        }
    }
}
