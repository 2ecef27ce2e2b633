using System.Data.Common;
using Ates.Accounting.Data;
using Ates.Accounting.Ledger;
using Ates.Accounting.TestHost;
using Ates.Contracts;
using Ates.Messaging.Envelope;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace Ates.Accounting.Tests;

/// <summary>
/// A consumer batch of task events reads its tasks, accounts and users once (TaskBatchPreload) and takes no savepoint
/// per save: what a batch asks the database does not grow with the number of its events.
/// </summary>
public sealed class BatchTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_batch_of_postings_reads_the_same_number_of_times_whether_it_holds_5_events_or_35()
    {
        var commands = new CommandCounter();
        var savepoints = new SavepointCounter();
        await using var app = new AccountingApp { ExtraServices = s => s.ConfigureDbContext<AccountingDb>(o => o.AddInterceptors(commands, savepoints)) };
        var script = new EventScript(AccountingApp.Start);
        var popugs = Enumerable.Range(1, 40).Select(_ => Guid.NewGuid()).ToList();
        var tasks = Enumerable.Range(1, 40).Select(_ => Guid.NewGuid()).ToList();
        var known = popugs.Select((p, i) => script.User(p, $"Popug {i}", UserRole.Worker))
            .Concat(tasks.Select((t, i) => script.Created(t, $"Task {i}", 10 + i % 11, 20 + i % 21))).ToList();
        foreach (var (task, prices) in script.Prices) app.Prices.Prices[task] = prices;
        _ = app.Server;
        var savepointsAtStart = savepoints.Count; // the start-up's one transaction may take one
        await app.DeliverAsync(known, batch: 1);

        // Each task assigned to another popug, so no look-up is answered by an earlier event of the same batch.
        var assignments = tasks.Select((t, i) => script.Assigned(t, popugs[(i + 1) % popugs.Count])).ToList();
        var small = await ReadsOfBatchAsync(app, commands, assignments[..5]);
        var large = await ReadsOfBatchAsync(app, commands, assignments[5..]);

        Assert.Equal(small, large);
        Assert.InRange(small, 1, 3); // tasks, accounts, users
        Assert.Equal(savepointsAtStart, savepoints.Count);
        // And the batch did its work: one fee per assignment, to its assignee.
        var fees = await app.DbAsync(db => db.Transactions.Where(t => t.Kind == TransactionKind.AssignFee).ToListAsync(Ct));
        Assert.Equal(40, fees.Count);
        Assert.Equal(tasks.Select((t, i) => (t, popugs[(i + 1) % popugs.Count], -(10m + i % 11))).Order(),
            fees.Select(f => (f.TaskId!.Value, f.AccountId, f.Amount)).Order());
    }

    static async Task<int> ReadsOfBatchAsync(AccountingApp app, CommandCounter commands, IReadOnlyList<EventEnvelope> batch)
    {
        commands.Reset();
        await app.DeliverAsync(batch, batch: batch.Count);
        return commands.Reads;
    }

    /// <summary>
    /// Counts the SELECTs from the tables a task event looks up. Only the consumer reads those: the relay and the email
    /// sender, also running, read their own tables.
    /// </summary>
    sealed class CommandCounter : DbCommandInterceptor
    {
        static readonly string[] LookUps = ["FROM \"tasks\"", "FROM \"accounts\"", "FROM \"users\""];
        int _reads;

        public int Reads => _reads;

        public void Reset() => _reads = 0;

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
            InterceptionResult<DbDataReader> result, CancellationToken ct = default)
        {
            Count(command);
            return ValueTask.FromResult(result);
        }

        public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData,
            InterceptionResult<int> result, CancellationToken ct = default)
        {
            Count(command);
            return ValueTask.FromResult(result);
        }

        public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(DbCommand command, CommandEventData eventData,
            InterceptionResult<object> result, CancellationToken ct = default)
        {
            Count(command);
            return ValueTask.FromResult(result);
        }

        void Count(DbCommand command)
        {
            var text = command.CommandText;
            if (text.TrimStart().StartsWith("SELECT", StringComparison.OrdinalIgnoreCase) && LookUps.Any(table => text.Contains(table, StringComparison.Ordinal)))
                Interlocked.Increment(ref _reads);
        }
    }

    /// <summary>Counts the savepoints EF Core creates (it does so around each SaveChanges in a transaction, unless told not to).</summary>
    sealed class SavepointCounter : DbTransactionInterceptor
    {
        int _count;

        public int Count => _count;

        public override ValueTask<InterceptionResult> CreatingSavepointAsync(DbTransaction transaction, TransactionEventData eventData,
            InterceptionResult result, CancellationToken ct = default)
        {
            Interlocked.Increment(ref _count);
            return ValueTask.FromResult(result);
        }
    }
}
