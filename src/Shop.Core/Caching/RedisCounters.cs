using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Shop.Core.Caching;

/// <summary>
/// Redis as the one place where every API process counts the same limits: the global and registration
/// windows and the failed logins. Redis is optional and may fail, and a limit must never be why a request
/// fails or hangs: <see cref="TryAsync{T}"/> bounds each call by <see cref="CallTimeout"/> and answers
/// "not counted" instead of throwing, and the caller then counts in its own process for that request.
/// While the connection is known to be down, and for a moment after a failed call, Redis is not asked at
/// all, so an outage costs at most one timeout, not one per request. An outage is logged when it starts
/// and when it ends, never per request.
/// </summary>
public sealed partial class RedisCounters(IConnectionMultiplexer redis, string keyPrefix, TimeProvider clock, ILogger<RedisCounters> logger)
{
    /// <summary>
    /// The hard timeout the cache uses for Redis too. A count takes well under a millisecond on the same network, but a
    /// busy host can hold a reply for hundreds (250 ms was exceeded on a loaded 2-core machine), and a timeout here
    /// means an attempt counted in process only. A hung Redis costs one request this long, then is paused.
    /// </summary>
    public static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(1);

    /// <summary>How long Redis is left alone after a failed call before the next request tries it again.</summary>
    private static readonly TimeSpan PauseAfterFailure = TimeSpan.FromSeconds(2);

    private readonly Lock _gate = new();
    private DateTimeOffset? _outageSince; // under _gate
    private long _pausedUntilTicks; // UTC ticks; read without the lock on every call
    private volatile bool _inOutage;

    public IConnectionMultiplexer Connection => redis;

    /// <summary>The Redis key of one counter, with this deployment's <c>Caching:KeyPrefix</c>.</summary>
    public string Key(string limit, string partition) => CacheKeys.Counter(keyPrefix, limit, partition);

    /// <summary>
    /// Runs <paramref name="call"/> against Redis. <c>Counted</c> is false when Redis is down, paused after a
    /// failure, failed or did not answer within <see cref="CallTimeout"/>: the caller then counts in process.
    /// </summary>
    public async ValueTask<(bool Counted, T Value)> TryAsync<T>(Func<IDatabase, Task<T>> call, CancellationToken cancellationToken = default)
    {
        if (!redis.IsConnected)
        {
            Failed(null);
            return (false, default!);
        }

        if (clock.GetUtcNow().UtcTicks < Interlocked.Read(ref _pausedUntilTicks))
        {
            return (false, default!);
        }

        try
        {
            var value = await call(redis.GetDatabase()).WaitAsync(CallTimeout, cancellationToken);
            Succeeded();
            return (true, value);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Whatever a Redis call throws is Redis failing, unless the request itself was cancelled: besides
            // RedisException and TimeoutException (RedisTimeoutException, WaitAsync's own timeout), a command
            // StackExchange.Redis gives up on while its connection drops or hangs can end cancelled, or with an
            // InvalidOperationException from its socket pipe ("Reading is not allowed after reader was
            // completed"): both were 500s on a login while Redis was killed or hung. The error is logged once
            // per outage (Failed), so a bug in a call would still be seen.
            Failed(e);
            return (false, default!);
        }
    }

    private void Failed(Exception? error)
    {
        lock (_gate)
        {
            var now = clock.GetUtcNow();
            if (error is not null)
            {
                Interlocked.Exchange(ref _pausedUntilTicks, (now + PauseAfterFailure).UtcTicks);
            }

            if (_outageSince is null)
            {
                _outageSince = now;
                _inOutage = true;
                LogOutage(logger, error?.Message ?? "not connected", error);
            }
        }
    }

    private void Succeeded()
    {
        if (!_inOutage)
        {
            return;
        }

        lock (_gate)
        {
            if (_outageSince is { } since)
            {
                _outageSince = null;
                _inOutage = false;
                var outage = clock.GetUtcNow() - since;
                LogRecovered(logger, outage);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis does not answer ({Reason}): rate limits and failed logins are counted in this process until it does")]
    private static partial void LogOutage(ILogger logger, string reason, Exception? error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Redis answers again after {Outage}: rate limits and failed logins are counted in Redis again")]
    private static partial void LogRecovered(ILogger logger, TimeSpan outage);
}
