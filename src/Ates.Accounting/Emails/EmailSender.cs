using Ates.Accounting.Data;
using Ates.Accounting.Hosting;
using Ates.Contracts;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.EntityFrameworkCore;
using MimeKit;

namespace Ates.Accounting.Emails;

/// <summary>
/// Sends the emails a day close recorded: SMTP when a host is configured, otherwise an .eml file per email in the
/// pickup folder. Each email is claimed (its attempt count is a concurrency token, so two instances cannot both
/// take it; the claim holds for <see cref="MailOptions.ClaimTimeout"/>, longer than any send takes), sent, then
/// marked sent; a failure waits with exponential backoff and is tried again.
/// A pickup file is written under a temporary name and renamed to the email's id, so a crash leaves neither half a
/// file nor two. Over SMTP the boundary is at-least-once: a crash after the server accepted a message and before the
/// mark sends it again on restart, with the same Message-Id, by which a receiver can drop the copy.
/// </summary>
public sealed class EmailSender(IServiceScopeFactory scopes, AccountingOptions options, TimeProvider time, ILogger<EmailSender> log)
    : BackgroundService
{
    readonly MailOptions _mail = options.Mail;

    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                while (await SendDueAsync(ct) > 0) { }
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                log.LogWarning(e, "Sending emails failed; trying again in {Interval}", _mail.PollInterval);
            }
            try { await Task.Delay(_mail.PollInterval, ct); }
            catch (OperationCanceledException) { return; }
        }
    }

    /// <summary>Sends up to a batch of due emails; returns how many were sent.</summary>
    public async Task<int> SendDueAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AccountingDb>();
        var now = time.GetUtcNow().UtcDateTime;
        var due = await db.Emails.Where(m => m.SentAt == null && (m.NextAttemptAt == null || m.NextAttemptAt <= now))
            .OrderBy(m => m.CreatedAt).Take(50).ToListAsync(ct);
        var sent = 0;
        using var smtp = new SmtpClient();
        foreach (var email in due)
        {
            // Claim: nobody else takes it until the claim runs out. A short claim (the backoff) let a second instance
            // send it again while a slow send (or a clock ahead) was still under way.
            // From the time of the claim, not of the batch's query: a long batch would hand out claims already run out.
            email.Attempts++;
            email.NextAttemptAt = time.GetUtcNow().UtcDateTime + _mail.ClaimTimeout;
            try { await db.SaveChangesAsync(ct); }
            catch (DbUpdateConcurrencyException)
            {
                // Another instance took it. Forget only this one: the rest of the batch stays tracked, so their claims
                // and marks are still saved (clearing the tracker would send them unclaimed).
                db.Entry(email).State = EntityState.Detached;
                continue;
            }

            try
            {
                email.To ??= await RecipientsAsync(db, email, ct);
                if (string.IsNullOrEmpty(email.To)) throw new InvalidOperationException("No address known for the recipient yet.");
                var message = Compose(email);
                if (string.IsNullOrEmpty(_mail.Host)) await WritePickupAsync(message, email, ct);
                else await SendSmtpAsync(smtp, message, ct);
                email.SentAt = time.GetUtcNow().UtcDateTime;
                email.LastError = null;
                sent++;
                log.LogInformation("Email {Id} ({Kind}, {Day}) sent to {Where} (attempt {Attempt})", email.Id, email.Kind, email.Day,
                    string.IsNullOrEmpty(_mail.Host) ? _mail.PickupFolder : _mail.Host, email.Attempts);
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                log.LogWarning("Email {Id} ({Kind}, {Day}) not sent (attempt {Attempt}): {Error}", email.Id, email.Kind, email.Day, email.Attempts, e.Message);
                email.LastError = e.Message;
                email.NextAttemptAt = time.GetUtcNow().UtcDateTime + Backoff(email.Attempts);
            }
            await db.SaveChangesAsync(ct);
        }
        if (smtp.IsConnected) await smtp.DisconnectAsync(quit: true, ct);
        return sent;
    }

    TimeSpan Backoff(int attempts) => TimeSpan.FromSeconds(Math.Min(Math.Pow(2, attempts), _mail.MaxBackoff.TotalSeconds));

    /// <summary>A payout goes to its popug; the daily report to every active admin and accountant.</summary>
    static async Task<string?> RecipientsAsync(AccountingDb db, Email email, CancellationToken ct)
    {
        var addresses = email.RecipientId is { } id
            ? await db.Users.Where(u => u.Id == id && u.Email != "").Select(u => u.Email).ToListAsync(ct)
            : await db.Users.Where(u => u.Status == UserStatus.Active && (u.Role == UserRole.Admin || u.Role == UserRole.Accountant) && u.Email != "")
                .OrderBy(u => u.Email).Select(u => u.Email).ToListAsync(ct);
        return addresses.Count == 0 ? null : string.Join(", ", addresses);
    }

    MimeMessage Compose(Email email)
    {
        var message = new MimeMessage { Subject = email.Subject, MessageId = email.MessageId, Date = new DateTimeOffset(email.CreatedAt, TimeSpan.Zero) };
        message.From.Add(MailboxAddress.Parse(_mail.From));
        message.To.AddRange(InternetAddressList.Parse(email.To!));
        message.Body = new TextPart("plain") { Text = email.Body };
        return message;
    }

    async Task WritePickupAsync(MimeMessage message, Email email, CancellationToken ct)
    {
        Directory.CreateDirectory(_mail.PickupFolder);
        var final = Path.Combine(_mail.PickupFolder, $"{email.Id:N}.eml");
        var temporary = Path.Combine(_mail.PickupFolder, $".{email.Id:N}.tmp");
        await message.WriteToAsync(temporary, ct);
        File.Move(temporary, final, overwrite: true);
    }

    async Task SendSmtpAsync(SmtpClient smtp, MimeMessage message, CancellationToken ct)
    {
        if (!smtp.IsConnected) await smtp.ConnectAsync(_mail.Host!, _mail.Port, SecureSocketOptions.Auto, ct);
        if (!string.IsNullOrEmpty(_mail.User) && !smtp.IsAuthenticated) await smtp.AuthenticateAsync(_mail.User, _mail.Password ?? "", ct);
        await smtp.SendAsync(message, ct);
    }
}
