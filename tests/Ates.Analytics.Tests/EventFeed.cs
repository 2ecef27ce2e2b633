using Ates.Analytics.Data;
using Ates.Messaging.Envelope;
using Ates.Messaging.Inbox;
using Ates.Messaging.Transports;
using Microsoft.Extensions.DependencyInjection;

namespace Ates.Analytics.Tests;

/// <summary>Events taken from the producers' logs and handed straight to an Analytics consumer.</summary>
public static class EventFeed
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The three producers' event logs, as their relays send them.</summary>
    public static async Task<List<EventEnvelope>> LogsAsync(Testbed testbed)
    {
        var envelopes = new List<EventEnvelope>();
        foreach (var producer in testbed.Producers)
            envelopes.AddRange((await producer.LogAsync()).Select(row => row.ToEnvelope(EventEnvelope.SourceOf(producer.Name))));
        return envelopes;
    }

    /// <summary>Hands the events to the app's consumer in batches of seven, as a transport would.</summary>
    public static async Task FeedAsync(Microsoft.AspNetCore.Builder.WebApplication app, IEnumerable<EventEnvelope> deliveries)
    {
        var consumer = app.Services.GetRequiredService<EventConsumer<AnalyticsDb>>();
        foreach (var batch in deliveries.Chunk(7))
        {
            var outcomes = await consumer.ConsumeAsync(batch.Select(e => new Delivery(e.Encode(), 1)).ToList(), Ct);
            Assert.All(outcomes, o => Assert.True(o is ConsumeOutcome.Handled or ConsumeOutcome.Duplicate, o.ToString()));
        }
    }
}
