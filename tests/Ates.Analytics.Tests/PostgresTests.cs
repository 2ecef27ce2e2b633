using Ates.Messaging.Transports.Embedded;
using Ates.Testing;

namespace Ates.Analytics.Tests;

/// <summary>The same reports on PostgreSQL (the distributed mode's database) as on SQLite.</summary>
public sealed class PostgresTests(PlayedWeek week, PostgresFixture postgres) : IClassFixture<PlayedWeek>, IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task The_fortnight_on_postgresql_gives_the_same_reports_as_on_sqlite()
    {
        var testbed = week.Testbed;
        var events = await EventFeed.LogsAsync(testbed);
        var database = await postgres.Server.CreateUniqueDatabaseAsync("analytics", TestContext.Current.CancellationToken);
        var other = await testbed.BuildAnalyticsAsync($"postgres:{database}", new EmbeddedBus());
        try
        {
            await EventFeed.FeedAsync(other, [.. events, .. Enumerable.Reverse(events)]);
            Assert.Equal(await Snapshots.TakeAsync(testbed), await Snapshots.TakeAsync(testbed, other));
        }
        finally
        {
            await Testbed.StopAnalyticsAsync(other);
        }
    }
}
