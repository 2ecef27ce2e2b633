using System.Globalization;

namespace Ates.Analytics.Reports;

/// <summary>Dollars as stored (whole cents) and as shown ("$28", "$28.50", "−$12").</summary>
public static class Money
{
    /// <exception cref="ArgumentException">The amount has a fraction of a cent (the event schema forbids it).</exception>
    public static long ToCents(decimal amount)
    {
        var cents = amount * 100m;
        if (cents != decimal.Truncate(cents)) throw new ArgumentException($"{amount} is not a whole number of cents.", nameof(amount));
        return (long)cents;
    }

    public static decimal FromCents(long cents) => cents / 100m;

    public static string Format(decimal amount)
    {
        var magnitude = Math.Abs(amount);
        var digits = magnitude == decimal.Truncate(magnitude)
            ? magnitude.ToString("#,0", CultureInfo.InvariantCulture)
            : magnitude.ToString("#,0.00", CultureInfo.InvariantCulture);
        return (amount < 0 ? "−$" : "$") + digits;
    }
}
