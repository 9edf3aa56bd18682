using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using Shop.Core.Common;

namespace Shop.Core.Users;

/// <summary>
/// Counts failed logins per account and per client address with System.Threading.RateLimiting
/// fixed windows. Only failures spend a permit, so a user who types the password right is never
/// slowed; once a window is spent, even the right password is refused until it ends.
/// In-process: with several API processes each keeps its own count (a shared store is a follow-up).
/// </summary>
public sealed class LoginThrottle : IDisposable
{
    private readonly PartitionedRateLimiter<string> _perAccount;
    private readonly PartitionedRateLimiter<string> _perAddress;

    public LoginThrottle(IOptions<RateLimitingOptions> options)
    {
        var o = options.Value;
        _perAccount = Create(o.LoginFailuresPerAccount, o.LoginFailureWindow);
        _perAddress = Create(o.LoginFailuresPerAddress, o.LoginFailureWindow);
    }

    private static PartitionedRateLimiter<string> Create(int permits, TimeSpan window) =>
        PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = permits,
            Window = window,
            QueueLimit = 0,
            AutoReplenishment = true,
        }));

    /// <summary>Throws 429 when the account or the address has no failures left in this window.</summary>
    public void EnsureAllowed(string account, string? address)
    {
        Check(_perAccount, $"account:{account}", "Too many failed logins for this account. Try again later.");
        Check(_perAddress, $"address:{address ?? "unknown"}", "Too many failed logins from this address. Try again later.");
    }

    public void RecordFailure(string account, string? address)
    {
        using var a = _perAccount.AttemptAcquire($"account:{account}");
        using var b = _perAddress.AttemptAcquire($"address:{address ?? "unknown"}");
    }

    private static void Check(PartitionedRateLimiter<string> limiter, string key, string message)
    {
        // Acquiring zero permits asks "is anything left?" without spending one.
        using var lease = limiter.AttemptAcquire(key, 0);
        if (!lease.IsAcquired)
        {
            var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.FromMinutes(1);
            throw new TooManyRequestsException(message, retryAfter);
        }
    }

    public void Dispose()
    {
        _perAccount.Dispose();
        _perAddress.Dispose();
    }
}
