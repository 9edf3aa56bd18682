using Shop.Core.Caching;
using Shop.Core.Common;
using StackExchange.Redis;

namespace Shop.Core.Users;

/// <summary>
/// The counts of <see cref="LoginThrottle"/> in Redis, so that every API process sees every failure: the same
/// rules as <see cref="InProcessLoginCounts"/>, kept in plain keys with expiries.
/// <list type="bullet">
/// <item>Per (account, address), a fixed window: a counter created with the window as its expiry and incremented
/// in one transaction. RedisRateLimiting's fixed window cannot serve here: the check before the password must ask
/// "is anything left?" without spending, and it answers a request for zero permits with yes even when the window is full.</item>
/// <item>Per account and per address, the growing delay: a failure counter whose expiry is pushed back a window at each
/// failure, and an "opening" key whose remaining time to live is the wait. An attempt past the threshold claims the
/// next opening with SET NX, so of parallel attempts one goes ahead and the others wait. Unlike in process, the account
/// and the address are claimed one after the other, not together: under a race an attempt refused by the address may
/// already have spent the account's opening, which costs that account one delay, never a lockout.</item>
/// </list>
/// Every call runs through <see cref="RedisCounters.TryAsync{T}"/>, which turns a Redis failure into in-process counting.
/// </summary>
internal sealed class RedisLoginCounts(RateLimitingOptions options, RedisCounters redis)
{
    private const string Pair = "login-pair";
    private const string Account = "login-account";
    private const string Address = "login-address";

    /// <summary>The 429 to throw, or null when the attempt may go ahead (its openings, if any, are then claimed).</summary>
    public async Task<TooManyRequestsException?> CheckAsync(IDatabase db, PasswordAttempt attempt)
    {
        var pair = redis.Key(Pair, PairOf(attempt));
        var pairFailures = db.StringGetAsync(pair);
        var pairLeft = db.KeyTimeToLiveAsync(pair);
        var account = Delay(Account, attempt.Account, options.LoginFailuresPerAccountAcrossAddresses);
        var address = Delay(Address, attempt.Address, options.LoginFailuresPerAddress);
        var accountFailures = db.StringGetAsync(account.Failures);
        var accountWait = db.KeyTimeToLiveAsync(account.Opening);
        var addressFailures = db.StringGetAsync(address.Failures);
        var addressWait = db.KeyTimeToLiveAsync(address.Opening);
        await Task.WhenAll(pairFailures, pairLeft, accountFailures, accountWait, addressFailures, addressWait);

        if ((int)await pairFailures >= options.LoginFailuresPerAccount)
        {
            return new TooManyRequestsException($"Too many {attempt.What} for this account from your address. Try again later.",
                await pairLeft ?? options.LoginFailureWindow);
        }

        if (await accountWait is { } accountLeft)
        {
            return LoginThrottle.Refused($"Too many {attempt.What} for this account.", accountLeft);
        }

        if (await addressWait is { } addressLeft)
        {
            return LoginThrottle.Refused($"Too many {attempt.What} from your address.", addressLeft);
        }

        if (await ClaimAsync(db, account, (int)await accountFailures) is { } accountClaimed)
        {
            return LoginThrottle.Refused($"Too many {attempt.What} for this account.", accountClaimed);
        }

        return await ClaimAsync(db, address, (int)await addressFailures) is { } addressClaimed
            ? LoginThrottle.Refused($"Too many {attempt.What} from your address.", addressClaimed)
            : null;
    }

    public async Task<bool> RecordFailureAsync(IDatabase db, PasswordAttempt attempt)
    {
        var pair = db.CreateTransaction();
        var key = redis.Key(Pair, PairOf(attempt));
        // The window starts at the first failure; the expiry and the count are set together, so no counter outlives its window.
        _ = pair.StringSetAsync(key, 0, options.LoginFailureWindow, When.NotExists);
        _ = pair.StringIncrementAsync(key);
        await Task.WhenAll(
            pair.ExecuteAsync(),
            RecordAsync(db, Delay(Account, attempt.Account, options.LoginFailuresPerAccountAcrossAddresses)),
            RecordAsync(db, Delay(Address, attempt.Address, options.LoginFailuresPerAddress)));
        return true;
    }

    /// <summary>One more failure; past the threshold the key closes for the delay that count earns.</summary>
    private async Task RecordAsync(IDatabase db, GrowingDelayKeys keys)
    {
        var transaction = db.CreateTransaction();
        var failures = transaction.StringIncrementAsync(keys.Failures);
        // Forgotten a window after the last failure.
        _ = transaction.KeyExpireAsync(keys.Failures, options.LoginFailureWindow);
        await transaction.ExecuteAsync();
        var count = (int)await failures;
        if (count >= keys.Threshold)
        {
            await db.StringSetAsync(keys.Opening, 1, LoginThrottle.Delay(count, keys.Threshold, options.LoginFailureMaxDelay));
        }
    }

    /// <summary>Past the threshold, closes the key until the next opening; null when claimed, else how long another attempt's claim makes this one wait.</summary>
    private async Task<TimeSpan?> ClaimAsync(IDatabase db, GrowingDelayKeys keys, int failures)
    {
        if (failures < keys.Threshold)
        {
            return null;
        }

        var delay = LoginThrottle.Delay(failures, keys.Threshold, options.LoginFailureMaxDelay);
        if (await db.StringSetAsync(keys.Opening, 1, delay, When.NotExists))
        {
            return null;
        }

        return await db.KeyTimeToLiveAsync(keys.Opening) ?? TimeSpan.FromSeconds(1);
    }

    private GrowingDelayKeys Delay(string limit, string key, int threshold) =>
        new(redis.Key(limit, key), redis.Key(limit + "-opening", key), threshold);

    private static string PairOf(PasswordAttempt attempt) => $"{attempt.Account}|{attempt.Address}";

    private readonly record struct GrowingDelayKeys(string Failures, string Opening, int Threshold);
}
