using Ates.Accounting.Billing;
using Ates.Accounting.Data;
using Ates.Accounting.Hosting;
using Ates.Accounting.Ledger;
using Ates.Accounting.Pricing;
using Ates.Accounting.TestHost;
using Ates.Messaging.Envelope;
using Ates.Messaging.Inbox;
using Ates.Messaging.Transports;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Ates.Accounting.Tests;

/// <summary>
/// Accounting as it runs: its real pipeline, a SQLite file of its own (or the database given), the embedded
/// transport, a fake clock and scripted prices. Events reach it through its consumer, as a transport hands them over.
/// </summary>
public sealed class AccountingApp : WebApplicationFactory<AccountingOptions>
{
    public static readonly DateTimeOffset Start = new(2026, 3, 3, 9, 0, 0, TimeSpan.Zero);
    public static readonly DateOnly Day1 = DateOnly.FromDateTime(Start.UtcDateTime);

    readonly string _folder = Directory.CreateTempSubdirectory("ates-accounting-tests-").FullName;

    /// <summary>The fake clock, at <see cref="Start"/> unless a test starts it elsewhere.</summary>
    public FakeTimeProvider Time { get; init; } = new(Start);

    /// <summary>The first open billing day: today by the fake clock (UTC).</summary>
    public DateOnly Today => DateOnly.FromDateTime(Time.GetUtcNow().UtcDateTime);
    public ScriptedPrices Prices { get; } = new();
    public string MailFolder => Path.Combine(_folder, "mail");
    public (string Key, string Value)[] Settings { get; init; } = [];
    public Action<IServiceCollection>? ExtraServices { get; init; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.UseSetting("Accounting:Database", $"sqlite:{Path.Combine(_folder, "accounting.db")}");
        // A test's fresh database, PostgreSQL too, is migrated by the instance that starts on it.
        builder.UseSetting("Accounting:MigrateOnStart", "true");
        builder.UseSetting("Accounting:Mail:PickupFolder", MailFolder);
        builder.UseSetting("Accounting:Mail:PollInterval", "00:00:00.100");
        builder.UseSetting("Accounting:SignIn:Authority", "http://localhost/");
        builder.UseSetting("Accounting:SignIn:ClientId", "accounting");
        builder.UseSetting("Accounting:SignIn:RequireHttpsMetadata", "false");
        foreach (var (key, value) in Settings) builder.UseSetting(key, value);
        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<TimeProvider>(Time);
            services.AddSingleton<IPriceSource>(Prices);
            ExtraServices?.Invoke(services);
        });
    }

    /// <summary>Hands the events to the consumer in batches, as a transport would; returns each outcome.</summary>
    public async Task<ConsumeOutcome[]> DeliverAsync(IEnumerable<EventEnvelope> events, int batch = 1)
    {
        var consumer = Services.GetRequiredService<EventConsumer<AccountingDb>>();
        var outcomes = new List<ConsumeOutcome>();
        foreach (var chunk in events.Chunk(batch))
            outcomes.AddRange(await consumer.ConsumeAsync(chunk.Select(e => new Delivery(e.Encode(), 1)).ToList(), TestContext.Current.CancellationToken));
        Assert.DoesNotContain(ConsumeOutcome.DeadLettered, outcomes);
        Assert.DoesNotContain(ConsumeOutcome.RetryLater, outcomes);
        return [.. outcomes];
    }

    public Task<ConsumeOutcome[]> DeliverAsync(params EventEnvelope[] events) => DeliverAsync(events, 1);

    /// <summary>One delivery attempt of one event, whatever becomes of it.</summary>
    public Task<ConsumeOutcome> ConsumeAsync(EventEnvelope e, int attempt) =>
        Services.GetRequiredService<EventConsumer<AccountingDb>>().ConsumeAsync(e.Encode(), attempt, TestContext.Current.CancellationToken);

    /// <summary>Delivers each event until it is handled (or a duplicate), counting attempts as a broker's retry does.</summary>
    public async Task DeliverWithRetriesAsync(IEnumerable<EventEnvelope> events)
    {
        var consumer = Services.GetRequiredService<EventConsumer<AccountingDb>>();
        foreach (var e in events)
        {
            var body = e.Encode();
            for (var attempt = 1; ; attempt++)
            {
                var outcome = await consumer.ConsumeAsync(body, attempt, TestContext.Current.CancellationToken);
                Assert.NotEqual(ConsumeOutcome.DeadLettered, outcome);
                if (outcome != ConsumeOutcome.RetryLater) break;
            }
        }
    }

    public async Task<T> DbAsync<T>(Func<AccountingDb, Task<T>> query)
    {
        await using var scope = Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<AccountingDb>());
    }

    public Task<decimal> BalanceAsync(Guid account) => DbAsync(db => db.Entries.Where(e => e.AccountId == account).SumAsync(e => e.Amount));

    public Task<BillingDay?> DayAsync(DateOnly day) => DbAsync(db => db.Days.AsNoTracking().FirstOrDefaultAsync(d => d.Day == day));

    public Task<Dictionary<Guid, DayAccount>> DayAccountsAsync(DateOnly day) =>
        DbAsync(db => db.DayAccounts.AsNoTracking().Where(d => d.Day == day).ToDictionaryAsync(d => d.AccountId));

    /// <summary>Everything a user would check, as one comparable text (see <see cref="EndState"/>).</summary>
    public Task<string> EndStateAsync() => DbAsync(EndState.DescribeAsync);

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }
}
