using System.Data.Common;
using Ates.Analytics.Data;
using Ates.Messaging.Envelope;
using Ates.Messaging.Inbox;
using Ates.Messaging.Transports;
using Ates.Messaging.Transports.Embedded;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace Ates.Analytics.Tests;

/// <summary>
/// A consumer batch of postings and task snapshots reads its postings and tasks once (FactsPreload): what a batch
/// asks the database does not grow with the number of its events.
/// </summary>
public sealed class BatchTests(PlayedWeek week) : IClassFixture<PlayedWeek>
{
    readonly Testbed _testbed = week.Testbed;
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_batch_of_postings_reads_the_same_number_of_times_whether_it_holds_4_events_or_17()
    {
        var envelopes = await EventFeed.LogsAsync(_testbed);
        var users = envelopes.Where(e => e.Type.StartsWith("user.", StringComparison.Ordinal)).ToList();
        // Fees and rewards: each names its task, so both look-ups have work in every batch.
        var postings = envelopes.Where(e => e.Type == "transaction.applied" && TaskOf(e) is not null).ToList();
        Assert.True(postings.Count >= 21, $"the week has {postings.Count} fees and rewards");

        var reads = new FactReads();
        var database = Path.Combine(Path.GetTempPath(), $"ates-analytics-batch-{Guid.NewGuid():N}.db");
        var other = await _testbed.BuildAnalyticsAsync($"sqlite:{database}", new EmbeddedBus(),
            services => services.ConfigureDbContext<AnalyticsDb>(o => o.AddInterceptors(reads)));
        try
        {
            var consumer = other.Services.GetRequiredService<EventConsumer<AnalyticsDb>>();
            await ConsumeAsync(consumer, users);
            var small = await ReadsOfBatchAsync(consumer, reads, postings[..4]);
            var large = await ReadsOfBatchAsync(consumer, reads, postings[4..21]);

            Assert.Equal(small, large);
            Assert.InRange(small, 1, 2); // postings, tasks
            // And the batches did their work: one posting each, and a placeholder for every task named first here.
            var stored = await _testbed.DbAsync(db => db.Set<PostingFact>().CountAsync(Ct), other);
            Assert.Equal(21, stored);
            var named = postings[..21].Select(TaskOf).Distinct().Count();
            Assert.Equal(named, await _testbed.DbAsync(db => db.Set<TaskFact>().CountAsync(Ct), other));
        }
        finally
        {
            await Testbed.StopAnalyticsAsync(other, database);
        }
    }

    static Guid? TaskOf(EventEnvelope e) =>
        ((Ates.Contracts.TransactionApplied)Ates.Contracts.EventRegistry.Default.Read(e.Type, e.Version, e.Data)).TaskId;

    static async Task ConsumeAsync(EventConsumer<AnalyticsDb> consumer, IReadOnlyList<EventEnvelope> batch)
    {
        var outcomes = await consumer.ConsumeAsync(batch.Select(e => new Delivery(e.Encode(), 1)).ToList(), Ct);
        Assert.All(outcomes, o => Assert.Equal(ConsumeOutcome.Handled, o));
    }

    static async Task<int> ReadsOfBatchAsync(EventConsumer<AnalyticsDb> consumer, FactReads reads, IReadOnlyList<EventEnvelope> batch)
    {
        reads.Reset();
        await ConsumeAsync(consumer, batch);
        return reads.Count;
    }

    /// <summary>Counts the SELECTs from the fact tables a posting looks up (only the consumer reads them here).</summary>
    sealed class FactReads : DbCommandInterceptor
    {
        static readonly string[] LookUps = ["FROM \"postings\"", "FROM \"tasks\""];
        int _count;

        public int Count => _count;

        public void Reset() => _count = 0;

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
            InterceptionResult<DbDataReader> result, CancellationToken ct = default)
        {
            var text = command.CommandText;
            if (text.TrimStart().StartsWith("SELECT", StringComparison.OrdinalIgnoreCase) && LookUps.Any(t => text.Contains(t, StringComparison.Ordinal)))
                Interlocked.Increment(ref _count);
            return ValueTask.FromResult(result);
        }
    }
}
