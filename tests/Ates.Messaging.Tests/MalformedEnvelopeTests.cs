using System.Text;
using Ates.Messaging.DeadLetters;
using Ates.Messaging.Inbox;
using Ates.Messaging.Node;
using Ates.Messaging.Transports;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Ates.Messaging.Tests;

/// <summary>A message that is not a valid aTES envelope is dead-lettered with a reason a person can act on.</summary>
public sealed class MalformedEnvelopeTests(Servers servers)
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("{not json", "Malformed envelope")]
    [InlineData("""{"specversion":"1.0","source":"/ates/tasks","type":"task.created","time":"2026-11-24T10:00:00Z","dataschema":"ates:schemas/tasks/task.created/2.json","datacontenttype":"application/json","eventversion":2,"sequence":"1","partitionkey":"x","data":{}}""", "id")]
    [InlineData("""{"specversion":"1.0","id":"7d1b1f2e-53a5-4a8e-9b7c-0c1f7f3b2a10","source":"/ates/tasks","type":"task.created","time":"2026-11-24T10:00:00Z","dataschema":"ates:schemas/tasks/task.created/2.json","datacontenttype":"application/json","sequence":"1","partitionkey":"x","data":{}}""", "eventversion")]
    public async Task Is_dead_lettered_with_its_reason(string body, string reasonMentions)
    {
        await using var topology = await Topology.CreateAsync(servers, "embedded", "sqlite");
        var consumer = await topology.StartAsync(new NodeSettings("accounting", await topology.NewDatabaseAsync("accounting"), "embedded"));

        var outcome = await consumer.Services.GetRequiredService<EventConsumer<TestDb>>().ConsumeAsync(Encoding.UTF8.GetBytes(body), 1, Ct);

        Assert.Equal(ConsumeOutcome.DeadLettered, outcome);
        var letter = await Topology.QueryAsync(consumer, db => db.Set<DeadLetter>().SingleAsync(Ct));
        Assert.StartsWith("Malformed envelope", letter.Reason);
        Assert.Contains(reasonMentions, letter.Reason);
        Assert.Equal(body, letter.Body);
        Assert.Equal(0, await Topology.SeenCountAsync(consumer));
    }

    /// <summary>
    /// A well-formed event from a service that does not produce its type (a forgery, or another service's bug) is
    /// refused: only Tasks may say a task was created, and the same event from Tasks is handled.
    /// </summary>
    [Fact]
    public async Task An_event_from_another_than_its_producer_is_dead_lettered()
    {
        await using var topology = await Topology.CreateAsync(servers, "embedded", "sqlite");
        var consumer = await topology.StartAsync(new NodeSettings("accounting", await topology.NewDatabaseAsync("accounting"), "embedded"));
        var events = consumer.Services.GetRequiredService<EventConsumer<TestDb>>();
        string Envelope(string source) => $$$"""{"specversion":"1.0","id":"{{{Guid.NewGuid()}}}","source":"{{{source}}}","type":"task.created","time":"2026-11-24T10:00:00Z","dataschema":"ates:schemas/tasks/task.created/2.json","datacontenttype":"application/json","eventversion":2,"sequence":"1","partitionkey":"x","data":{"task_id":"{{{Guid.NewGuid()}}}","title":"Forged","jira_id":null,"description":"","entity_version":1}}""";

        var forged = Envelope("/ates/analytics");
        Assert.Equal(ConsumeOutcome.DeadLettered, await events.ConsumeAsync(Encoding.UTF8.GetBytes(forged), 1, Ct));
        var letter = await Topology.QueryAsync(consumer, db => db.Set<DeadLetter>().SingleAsync(Ct));
        Assert.Equal("task.created comes from /ates/tasks only, not from /ates/analytics", letter.Reason);
        Assert.Equal(forged, letter.Body);
        Assert.Equal(0, await Topology.SeenCountAsync(consumer));

        Assert.Equal(ConsumeOutcome.Handled, await events.ConsumeAsync(Encoding.UTF8.GetBytes(Envelope("/ates/tasks")), 1, Ct));
        Assert.Equal(1, await Topology.SeenCountAsync(consumer));
    }
}
