using Ates.ServiceDefaults.Hosting;

namespace Ates.Accounting.Hosting;

/// <summary>The "Accounting" section.</summary>
public sealed class AccountingOptions : SignedInServiceOptions
{
    public AccountingOptions() => Database = "sqlite:data/accounting.db";

    /// <summary>The billing day's time zone (IANA id, e.g. "Europe/Moscow").</summary>
    public string TimeZone { get; set; } = "UTC";

    public MailOptions Mail { get; set; } = new();

    /// <summary>How often Accounting looks for a day to close besides after each commit that may complete one.</summary>
    public TimeSpan DayCloseCheckInterval { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>SMTP when <see cref="Host"/> is set; otherwise .eml files in <see cref="PickupFolder"/>.</summary>
public sealed class MailOptions
{
    public string? Host { get; set; }
    public int Port { get; set; } = 25;
    public string? User { get; set; }
    public string? Password { get; set; }
    public string From { get; set; } = "accounting@popug.inc";
    public string PickupFolder { get; set; } = "data/mail";

    /// <summary>How often the sender looks for unsent emails when no close woke it.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>A failed email waits 2^attempts seconds, at most this long, before the next try.</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long an instance holds an email it took: no other instance sends it meanwhile. Only a crash mid-send lets
    /// the claim run out, and then the email is sent again (with the same Message-Id). Longer than any send takes.
    /// </summary>
    public TimeSpan ClaimTimeout { get; set; } = TimeSpan.FromMinutes(10);
}
