using System.Net;
using System.Threading.RateLimiting;
using Ates.Auth.Hosting;

namespace Ates.Auth.SignIn;

/// <summary>
/// Failed sign-ins (the page and the password grant) per client address, in a token bucket of the framework's rate
/// limiter: a few failures are free, more wait for the bucket to refill. Only failures take a token, so a popug who
/// knows the password is never held back, while a guesser (or someone locking accounts out on purpose, five wrong
/// passwords each) gets a few accounts per window instead of thousands. Behind the gateway the address is the one it
/// forwards (X-Forwarded-For from a loopback proxy).
/// </summary>
public sealed class SignInThrottle : IDisposable
{
    readonly PartitionedRateLimiter<string> _failures;
    readonly TimeSpan _oneToken;

    public SignInThrottle(AuthOptions options)
    {
        var (failures, window) = (options.SignInThrottle.Failures, options.SignInThrottle.Window);
        if (failures < 1 || window <= TimeSpan.Zero)
            throw new InvalidOperationException("Auth:SignInThrottle needs Failures of 1 or more and a positive Window.");
        _oneToken = window / failures;
        _failures = PartitionedRateLimiter.Create<string, string>(address => RateLimitPartition.GetTokenBucketLimiter(address, _ =>
            new TokenBucketRateLimiterOptions
            {
                TokenLimit = failures,
                TokensPerPeriod = 1,
                // The whole bucket refills in one window.
                ReplenishmentPeriod = _oneToken,
                QueueLimit = 0,
                AutoReplenishment = true,
            }));
    }

    /// <summary>How long the client must wait before it may try again (until one token is back), or null when it may try now.</summary>
    public TimeSpan? WaitFor(HttpContext http) =>
        // The statistics, not a zero-permit lease: that lease reads "acquired" from an empty bucket once a replenishment tick has passed.
        _failures.GetStatistics(AddressOf(http)) is { CurrentAvailablePermits: <= 0 } ? _oneToken : null;

    /// <summary>Counts a failed attempt (a wrong password, an unknown email, a locked account).</summary>
    public void Failed(HttpContext http) => _failures.AttemptAcquire(AddressOf(http)).Dispose();

    static string AddressOf(HttpContext http) => http.Connection.RemoteIpAddress is { } address
        ? (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString()
        : IPAddress.None.ToString();

    public void Dispose() => _failures.Dispose();
}
