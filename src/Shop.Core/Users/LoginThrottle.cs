using System.Threading.RateLimiting;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Shop.Core.Caching;
using Shop.Core.Common;

namespace Shop.Core.Users;

/// <summary>Whose password is being tried and from which client address. Logins and password changes are counted apart.</summary>
public readonly record struct PasswordAttempt(string Account, string Address, string What)
{
    public static PasswordAttempt Login(string normalizedEmail, string? address) =>
        new($"login:{normalizedEmail}", $"login:{address ?? "unknown"}", "failed logins");

    public static PasswordAttempt PasswordChange(Guid userId, string? address) =>
        new($"password:{userId}", $"password:{address ?? "unknown"}", "wrong current passwords");
}

/// <summary>
/// Slows password guessing without giving anyone a way to lock an account's owner out (ADR 0003).
/// Only failures count, so a right password spends nothing. Three counts:
/// per account and address, a hard limit (<see cref="RateLimitingOptions.LoginFailuresPerAccount"/>
/// per window, then 429 for that address and that account only); per account across addresses and
/// per address across accounts, a higher threshold past which each attempt waits a delay that
/// doubles with every further failure, up to <see cref="RateLimitingOptions.LoginFailureMaxDelay"/>.
/// With Redis configured the counts are kept there (<see cref="RedisLoginCounts"/>), shared by every
/// API process; without it, and for any attempt Redis cannot count (down, slow), in this process.
/// </summary>
public sealed class LoginThrottle(IOptions<RateLimitingOptions> options, TimeProvider clock, RedisCounters? redis = null) : IDisposable
{
    private readonly InProcessLoginCounts _local = new(options.Value, clock);
    private readonly RedisLoginCounts? _shared = redis is null ? null : new RedisLoginCounts(options.Value, redis);

    /// <summary>Throws 429 when this address has used up its failures on this account, or when the account or the address must wait.</summary>
    public async ValueTask EnsureAllowedAsync(PasswordAttempt attempt, CancellationToken cancellationToken)
    {
        if (_shared is not null && await redis!.TryAsync(db => _shared.CheckAsync(db, attempt), cancellationToken) is (true, var refusal))
        {
            if (refusal is not null)
            {
                throw refusal;
            }

            return;
        }

        _local.EnsureAllowed(attempt);
    }

    public async ValueTask RecordFailureAsync(PasswordAttempt attempt, CancellationToken cancellationToken)
    {
        if (_shared is not null && (await redis!.TryAsync(db => _shared.RecordFailureAsync(db, attempt), cancellationToken)).Counted)
        {
            return;
        }

        _local.RecordFailure(attempt);
    }

    internal static TooManyRequestsException Refused(string reason, TimeSpan wait) =>
        new($"{reason} Try again in {Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds))} s.", wait);

    /// <summary>The growing delay after <paramref name="failures"/> failures: 1 s at the threshold, doubling with each one past it, capped.</summary>
    internal static TimeSpan Delay(int failures, int threshold, TimeSpan maxDelay)
    {
        var delay = TimeSpan.FromSeconds(1L << Math.Min(failures - threshold, 30));
        return delay < maxDelay ? delay : maxDelay;
    }

    public void Dispose() => _local.Dispose();
}

/// <summary>The counts of <see cref="LoginThrottle"/> in this process: what each process keeps alone when there is no Redis to share.</summary>
internal sealed class InProcessLoginCounts : IDisposable
{
    private readonly PartitionedRateLimiter<string> _perAccountAndAddress;
    private readonly GrowingDelay _perAccount;
    private readonly GrowingDelay _perAddress;
    private readonly Lock _gate = new();

    public InProcessLoginCounts(RateLimitingOptions o, TimeProvider clock)
    {
        _perAccountAndAddress = PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = o.LoginFailuresPerAccount,
            Window = o.LoginFailureWindow,
            QueueLimit = 0,
            AutoReplenishment = true,
        }));
        _perAccount = new GrowingDelay(o.LoginFailuresPerAccountAcrossAddresses, o.LoginFailureWindow, o.LoginFailureMaxDelay, clock);
        _perAddress = new GrowingDelay(o.LoginFailuresPerAddress, o.LoginFailureWindow, o.LoginFailureMaxDelay, clock);
    }

    public void EnsureAllowed(PasswordAttempt attempt)
    {
        // Acquiring zero permits asks "is anything left?" without spending one.
        using (var lease = _perAccountAndAddress.AttemptAcquire(Pair(attempt), 0))
        {
            if (!lease.IsAcquired)
            {
                var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.FromMinutes(1);
                throw new TooManyRequestsException($"Too many {attempt.What} for this account from your address. Try again later.", retryAfter);
            }
        }

        lock (_gate)
        {
            // Neither opening is claimed unless both are open, so a refusal by one wastes nothing of the other.
            if (_perAccount.Wait(attempt.Account) is { } accountWait)
            {
                throw LoginThrottle.Refused($"Too many {attempt.What} for this account.", accountWait);
            }

            if (_perAddress.Wait(attempt.Address) is { } addressWait)
            {
                throw LoginThrottle.Refused($"Too many {attempt.What} from your address.", addressWait);
            }

            _perAccount.Claim(attempt.Account);
            _perAddress.Claim(attempt.Address);
        }
    }

    public void RecordFailure(PasswordAttempt attempt)
    {
        using var lease = _perAccountAndAddress.AttemptAcquire(Pair(attempt));
        lock (_gate)
        {
            _perAccount.RecordFailure(attempt.Account);
            _perAddress.RecordFailure(attempt.Address);
        }
    }

    private static string Pair(PasswordAttempt attempt) => $"{attempt.Account}|{attempt.Address}";

    public void Dispose()
    {
        _perAccountAndAddress.Dispose();
        _perAccount.Dispose();
        _perAddress.Dispose();
    }

    /// <summary>
    /// Failures per key. From the <c>threshold</c>-th on, the key is closed for 1 s, then 2 s, 4 s ...
    /// up to <c>maxDelay</c>, and each attempt let through claims the next opening, so that parallel
    /// requests cannot all slip through one. A key is forgotten a <c>window</c> after its last failure.
    /// System.Threading.RateLimiting has fixed windows and token buckets but no growing delay.
    /// Not thread-safe: the throttle calls it under its lock.
    /// </summary>
    private sealed class GrowingDelay(int threshold, TimeSpan window, TimeSpan maxDelay, TimeProvider clock) : IDisposable
    {
        private sealed class State
        {
            public int Failures;
            public DateTimeOffset OpensAt;
        }

        private readonly MemoryCache _keys = new(new MemoryCacheOptions());

        /// <summary>Null when an attempt may go ahead now; otherwise how long it must wait.</summary>
        public TimeSpan? Wait(string key)
        {
            var now = clock.GetUtcNow();
            return _keys.TryGetValue(key, out State? state) && state!.OpensAt > now ? state.OpensAt - now : null;
        }

        /// <summary>Past the threshold, an attempt that goes ahead closes the key until the next opening.</summary>
        public void Claim(string key)
        {
            if (_keys.TryGetValue(key, out State? state) && state!.Failures >= threshold)
            {
                state.OpensAt = clock.GetUtcNow() + Delay(state.Failures);
            }
        }

        public void RecordFailure(string key)
        {
            var state = _keys.TryGetValue(key, out State? known) ? known! : new State();
            state.Failures++;
            if (state.Failures >= threshold)
            {
                state.OpensAt = clock.GetUtcNow() + Delay(state.Failures);
            }

            _keys.Set(key, state, window);
        }

        private TimeSpan Delay(int failures) => LoginThrottle.Delay(failures, threshold, maxDelay);

        public void Dispose() => _keys.Dispose();
    }
}
