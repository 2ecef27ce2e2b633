using Ates.Accounting.Data;
using Ates.Contracts;
using Ates.ServiceDefaults.Hosting;
using Ates.LocalServers;
using Ates.Testing;
using Microsoft.EntityFrameworkCore;
using Ates.Accounting.Billing;
using Ates.Accounting.Emails;
using Ates.Accounting.Ledger;

namespace Ates.Accounting.Tests;

/// <summary>
/// The real Accounting service in a child process, SIGKILLed in the middle of a day close (its rows written, its
/// transaction not committed), then restarted and fed the same events again, as a transport redelivers what was
/// never acknowledged.
/// </summary>
public sealed class CrashTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>, IDisposable
{
    static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);
    static CancellationToken Ct => TestContext.Current.CancellationToken;
    readonly string _folder = Directory.CreateTempSubdirectory("ates-accounting-crash-").FullName;

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Killed_in_the_middle_of_a_close_it_closes_once_pays_once_and_mails_once_after_restart(string provider)
    {
        var database = provider == "sqlite"
            ? $"sqlite:{Path.Combine(_folder, "accounting.db")}"
            : $"postgres:{await postgres.CreateUniqueDatabaseAsync("accounting", Ct)}";
        var mail = Path.Combine(_folder, "mail");
        var script = new ScriptedDay();
        var scriptFile = Path.Combine(_folder, "script.json");
        script.Script.Save(scriptFile, script.InOrder);
        string[] Args(params string[] more) =>
            ["--db", database, "--mail", mail, "--script", scriptFile, "--now", AccountingApp.Start.ToString("O"), .. more];

        await using (var child = HostProcess.Start("Ates.Accounting.TestHost.dll", Args("--hold-close")))
        {
            Assert.Equal($"CLOSING {ScriptedDay.Day1:yyyy-MM-dd}", await child.WaitForAsync("CLOSING", Deadline));
            await child.KillAsync();
        }
        // Nothing of the close survived: no closed day, no payout, no email.
        await using (var db = Open(database))
        {
            Assert.False(await db.Days.AnyAsync(d => d.IsClosed, Ct));
            Assert.False(await db.Transactions.AnyAsync(t => t.Kind == TransactionKind.Payout, Ct));
            Assert.Equal(0, await db.Emails.CountAsync(Ct));
            Assert.Equal(0, await db.DayAccounts.CountAsync(Ct));
        }
        Assert.Empty(Directory.Exists(mail) ? Directory.GetFiles(mail) : []);

        await using (var child = HostProcess.Start("Ates.Accounting.TestHost.dll", Args()))
        {
            Assert.Equal("DELIVERED", await child.WaitForAsync("DELIVERED", Deadline));
            await Eventually.UntilAsync(async () =>
            {
                await using var db = Open(database);
                return await db.Emails.CountAsync(Ct) == 4 && await db.Emails.AllAsync(e => e.SentAt != null, Ct);
            }, Deadline, "both days' emails should be sent", Ct);
            await child.KillAsync();
        }

        // The same end state as one clean run in-process.
        await using var clean = new AccountingApp();
        foreach (var (task, prices) in script.Script.Prices) clean.Prices.Prices[task] = prices;
        await clean.DeliverAsync(script.InOrder, batch: 1);
        await using (var db = Open(database))
        {
            Assert.Equal(await clean.EndStateAsync(), await EndState.DescribeAsync(db));
            Assert.Equal(2, await db.Days.CountAsync(d => d.IsClosed, Ct));
            Assert.Equal(2, await db.Transactions.CountAsync(t => t.Kind == TransactionKind.Payout, Ct));
            var emails = await db.Emails.Select(e => e.Id).ToListAsync(Ct);
            Assert.Equal(emails.Select(id => $"{id:N}.eml").Order(), Directory.GetFiles(mail).Select(Path.GetFileName).Order());
        }
    }

    static AccountingDb Open(string database)
    {
        var options = new DbContextOptionsBuilder<AccountingDb>();
        options.UseServiceDatabase(database, "test");
        return new AccountingDb(options.Options);
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }
}
