using Ates.Accounting.Emails;
using Ates.LocalServers;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MimeKit;
using static Ates.Accounting.Tests.ScriptedDay;

namespace Ates.Accounting.Tests;

/// <summary>The close's emails on a real SMTP server (aiosmtpd) that is down at first: retried, then sent once each.</summary>
public sealed class EmailTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Emails_wait_for_the_smtp_server_and_arrive_once_each_with_their_message_id()
    {
        var port = FreePort.Next();
        var script = new ScriptedDay();
        await using var app = new AccountingApp { Settings = [("Accounting:Mail:Host", "127.0.0.1"), ("Accounting:Mail:Port", port.ToString())] };
        foreach (var (task, prices) in script.Script.Prices) app.Prices.Prices[task] = prices;

        await app.DeliverAsync([.. script.Users, .. script.Day1Tasks, script.Day1Marker]);
        // Nothing listens yet: every email is tried, fails, and waits out its backoff.
        await Eventually.UntilAsync(() => app.DbAsync(db => db.Emails.AllAsync(e => e.Attempts >= 1 && e.LastError != null && e.SentAt == null, Ct)),
            TimeSpan.FromSeconds(30), "the emails should have been tried against the closed port", Ct);

        await using var smtp = await SmtpServer.StartAsync(port, Ct);
        app.Time.Advance(TimeSpan.FromMinutes(10));
        await Eventually.UntilAsync(() => app.DbAsync(db => db.Emails.AllAsync(e => e.SentAt != null, Ct)),
            TimeSpan.FromSeconds(30), "the emails should be sent once the server is up", Ct);
        // Another pass (the background one runs too) finds nothing to send.
        var sender = app.Services.GetServices<IHostedService>().OfType<EmailSender>().Single();
        app.Time.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(0, await sender.SendDueAsync(Ct));

        var emails = await app.DbAsync(db => db.Emails.AsNoTracking().ToListAsync(Ct));
        Assert.Equal(2, emails.Count);
        var received = new List<MimeMessage>();
        foreach (var file in smtp.Messages) received.Add(await MimeMessage.LoadAsync(file, Ct));
        Assert.Equal(emails.Select(e => e.MessageId).Order(), received.Select(m => m.MessageId).Order());

        var payout = received.Single(m => m.MessageId == emails.Single(e => e.Kind == EmailKind.Payout).MessageId);
        Assert.Equal(["worker.three@popug.inc"], payout.To.Mailboxes.Select(m => m.Address));
        Assert.Equal($"Your payout for {Day1:yyyy-MM-dd}: $25.00", payout.Subject);
        Assert.Equal("accounting@popug.inc", payout.From.Mailboxes.Single().Address);
        var report = received.Single(m => m.MessageId == emails.Single(e => e.Kind == EmailKind.DailyReport).MessageId);
        Assert.Equal(["ada.admin@popug.inc", "alice.accountant@popug.inc"], report.To.Mailboxes.Select(m => m.Address).Order());
        Assert.Contains("Management earnings: $32.00", report.TextBody);
        Assert.Contains("Payouts: $25.00 to 1 popug", report.TextBody);
        Assert.Contains("Accounts in the negative: 3", report.TextBody);
        Assert.Contains("Worker Three  $25.00", report.TextBody);
        Assert.Contains("Worker Two  -$35.00", report.TextBody);
    }
}

/// <summary>Two senders on one database: an email one of them has taken is not sent by the other while it is sending.</summary>
public sealed class EmailClaimTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_claimed_email_is_left_alone_by_another_sender_until_the_claim_runs_out()
    {
        // An SMTP server that accepts and never greets: this app's sender takes each email and hangs in the send.
        using var silent = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        silent.Start();
        // Accepted on another thread (the hung sender may reconnect at any time), closed when the test ends.
        var held = new System.Collections.Concurrent.ConcurrentQueue<System.Net.Sockets.TcpClient>();
        _ = Task.Run(async () => { while (true) held.Enqueue(await silent.AcceptTcpClientAsync(Ct)); }, Ct);
        var folder = Directory.CreateTempSubdirectory("ates-claim-").FullName;
        try
        {
            await ClaimIsHeldAsync(silent, folder);
        }
        finally
        {
            silent.Stop();
            foreach (var client in held) client.Dispose();
            Directory.Delete(folder, recursive: true);
        }
    }

    static async Task ClaimIsHeldAsync(System.Net.Sockets.TcpListener silent, string folder)
    {
        var port = ((System.Net.IPEndPoint)silent.LocalEndpoint).Port;

        var script = new ScriptedDay();
        await using var app = new AccountingApp { Settings = [("Accounting:Mail:Host", "127.0.0.1"), ("Accounting:Mail:Port", port.ToString())] };
        foreach (var (task, prices) in script.Script.Prices) app.Prices.Prices[task] = prices;
        await app.DeliverAsync([.. script.Users, .. script.Day1Tasks, script.Day1Marker]);
        await Eventually.UntilAsync(() => app.DbAsync(db => db.Emails.AnyAsync(e => e.Attempts == 1 && e.SentAt == null && e.LastError == null, Ct)),
            TimeSpan.FromSeconds(30), "the first email should be taken and hang in the send", Ct);
        var taken = await app.DbAsync(db => db.Emails.AsNoTracking().SingleAsync(e => e.Attempts == 1 && e.LastError == null, Ct));

        // A second instance writing pickup files, a minute later (far past the first retry's 2 s backoff).
        var options = new Hosting.AccountingOptions();
        options.Mail.PickupFolder = folder;
        var other = new EmailSender(app.Services.GetRequiredService<IServiceScopeFactory>(), options, app.Time,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<EmailSender>.Instance);
        app.Time.Advance(TimeSpan.FromMinutes(1));
        await other.SendDueAsync(Ct);
        Assert.False(File.Exists(Path.Combine(folder, $"{taken.Id:N}.eml")), "the taken email was sent a second time");

        // Had the first sender crashed, the claim runs out and the other sends it (same Message-Id).
        app.Time.Advance(options.Mail.ClaimTimeout);
        await other.SendDueAsync(Ct);
        Assert.True(File.Exists(Path.Combine(folder, $"{taken.Id:N}.eml")));
    }
}
