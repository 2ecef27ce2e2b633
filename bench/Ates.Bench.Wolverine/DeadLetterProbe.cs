using System.Diagnostics;
using System.Text;
using JasperFx.Resources;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Wolverine;
using Wolverine.Persistence.Durability.DeadLetterManagement;
using Wolverine.Sqlite;
using Wolverine.Tracking;

namespace Ates.Bench.Wolverine;

/// <summary>A message its handler can never digest.</summary>
public sealed record PoisonTask(Guid TaskId, string Title);

public static class PoisonTaskHandler
{
    static int _runs;

    /// <summary>How many times the handler was given a message.</summary>
    public static int Runs => Volatile.Read(ref _runs);

    public static void Handle(PoisonTask message)
    {
        Interlocked.Increment(ref _runs);
        throw new InvalidOperationException($"The handler cannot digest '{message.Title}'.");
    }
}

/// <summary>
/// Wolverine's dead letters as aTES uses its own: a poison message on a durable local queue (SQLite) is listed with its
/// reason, retried once, and discarded, through Wolverine's <c>IDeadLetters</c>; the report says what each step left.
/// </summary>
public static class DeadLetterProbe
{
    public static async Task<string> RunAsync()
    {
        var file = Path.Combine(Path.GetTempPath(), $"ates-bench-wolverine-deadletters-{Guid.NewGuid():N}.db");
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.UseWolverine(o =>
        {
            o.ServiceName = "accounting";
            o.Discovery.DisableConventionalDiscovery().IncludeType(typeof(PoisonTaskHandler));
            o.PersistMessagesWithSqlite($"Data Source={file}");
            o.PublishMessage<PoisonTask>().ToLocalQueue("poison").UseDurableInbox();
        });
        builder.Services.AddResourceSetupOnStartup();
        var report = new StringBuilder();
        using (var host = builder.Build())
        {
            await host.StartAsync();
            var deadLetters = host.GetRuntime().Storage.DeadLetters;
            var all = new DeadLetterEnvelopeQuery();

            var clock = Stopwatch.StartNew();
            await host.MessageBus().PublishAsync(new PoisonTask(Guid.NewGuid(), "poison 1"));
            var listed = await WaitForAsync(async () => (await deadLetters.QueryAsync(all, CancellationToken.None)).Envelopes, e => e.Count > 0);
            var first = listed.Single();
            report.AppendLine($"listed after {clock.Elapsed.TotalSeconds:F1} s: 1 dead letter, {first.ExceptionType}: {first.ExceptionMessage}, attempts {first.Envelope.Attempts}, handler runs {PoisonTaskHandler.Runs}");

            clock.Restart();
            await deadLetters.ReplayAsync(new DeadLetterEnvelopeQuery([first.Id]), CancellationToken.None);
            var again = await WaitForAsync(async () => (await deadLetters.QueryAsync(all, CancellationToken.None)).Envelopes,
                e => e.Count > 0 && !e.Any(x => x.Replayable), TimeSpan.FromSeconds(30));
            report.AppendLine($"retried: after {clock.Elapsed.TotalSeconds:F1} s {again.Count} dead letter(s) for the message, replayable {string.Join(", ", again.Select(x => x.Replayable))}, attempts {string.Join(", ", again.Select(x => x.Envelope.Attempts))}, handler runs {PoisonTaskHandler.Runs}");

            await deadLetters.DiscardAsync(new DeadLetterEnvelopeQuery([first.Id]), CancellationToken.None);
            var left = (await deadLetters.QueryAsync(all, CancellationToken.None)).Envelopes.Count;
            report.Append($"discarded: {left} dead letters left");
            await host.StopAsync();
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var suffix in new[] { "", "-wal", "-shm" }) File.Delete(file + suffix);
        return report.ToString();
    }

    static async Task<T> WaitForAsync<T>(Func<Task<T>> read, Func<T, bool> done, TimeSpan? patience = null)
    {
        var deadline = DateTime.UtcNow + (patience ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var value = await read();
            if (done(value) || DateTime.UtcNow > deadline) return value;
            await Task.Delay(200);
        }
    }
}
