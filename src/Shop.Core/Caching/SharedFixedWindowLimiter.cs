using System.Diagnostics;
using System.Threading.RateLimiting;
using RedisRateLimiting;

namespace Shop.Core.Caching;

/// <summary>
/// A fixed window that every API process counts together in Redis (RedisRateLimiting's fixed window), and
/// that each request Redis cannot count (down, slow, failing: see <see cref="RedisCounters"/>) counts in an
/// in-process window of the same size instead. During an outage N processes thus allow up to N times the
/// limit, as they did before Redis; a 5xx or a stall because of Redis they never give.
/// <para>
/// A Redis round trip per request costs the API more CPU than serving a cached product, so a process
/// takes its permits from the shared window in batches of <see cref="BatchOf"/> (1/50 of the limit)
/// and spends them locally until they run out or the window ends. The shared count can never pass the
/// limit; a process holding unspent permits can only make the others refused a little early (at most a
/// batch per process). Near the limit, when a whole batch is refused, a single permit is asked for, so
/// small limits (below 100) stay exact per request.
/// </para>
/// </summary>
public sealed class SharedFixedWindowLimiter : RateLimiter
{
    private readonly RedisCounters _redis;
    private readonly RedisFixedWindowRateLimiter<string> _shared;
    private readonly FixedWindowRateLimiter _local;
    private readonly TimeSpan _window;
    private readonly int _batch;
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _fetching = new(1, 1);
    private int _held; // permits taken from Redis and not yet spent (under _gate)
    private long _heldUntil; // unix seconds: when the window they were taken from ends (under _gate)
    private long _lastUsed = Stopwatch.GetTimestamp();
    private int _active; // requests inside AcquireAsyncCore

    private SharedFixedWindowLimiter(RedisCounters redis, string key, int permits, TimeSpan window)
    {
        _redis = redis;
        _window = window;
        _batch = BatchOf(permits);
        _shared = new RedisFixedWindowRateLimiter<string>(key, new RedisFixedWindowRateLimiterOptions
        {
            ConnectionMultiplexerFactory = () => redis.Connection,
            PermitLimit = permits,
            Window = window,
        });
        _local = new FixedWindowRateLimiter(InProcess(permits, window));
    }

    /// <summary>
    /// The partition <paramref name="partition"/> of limit <paramref name="limit"/>: shared through Redis when it is
    /// configured (<paramref name="redis"/> not null), else the in-process fixed window alone.
    /// </summary>
    public static RateLimitPartition<string> Partition(RedisCounters? redis, string limit, string partition, int permits, TimeSpan window) =>
        redis is null
            ? RateLimitPartition.GetFixedWindowLimiter(partition, _ => InProcess(permits, window))
            : RateLimitPartition.Get(partition, key => new SharedFixedWindowLimiter(redis, redis.Key(limit, key), permits, window));

    /// <summary>Permits taken from Redis at once: 1/50 of the limit, at least 1.</summary>
    public static int BatchOf(int permits) => Math.Max(1, permits / 50);

    private static FixedWindowRateLimiterOptions InProcess(int permits, TimeSpan window) =>
        new() { PermitLimit = permits, Window = window, QueueLimit = 0, AutoReplenishment = true };

    /// <summary>
    /// Since the last request, or null while one is being counted. Not the inner limiters' idle time: with
    /// permits taken in batches, the Redis one is asked once in many requests and looks idle while this is
    /// busy, and the partitioned limiter disposes a limiter idle for 10 s (the requests still holding it
    /// were then refused: 429s under a steady load).
    /// </summary>
    public override TimeSpan? IdleDuration =>
        Volatile.Read(ref _active) > 0 ? null : Stopwatch.GetElapsedTime(Volatile.Read(ref _lastUsed));

    public override RateLimiterStatistics? GetStatistics() => _local.GetStatistics();

    /// <summary>
    /// Always "not now", without counting anything: Redis is only asked asynchronously, and the ASP.NET Core
    /// middleware follows a refused attempt with <see cref="AcquireAsyncCore"/> (as RedisRateLimiting expects).
    /// </summary>
    protected override RateLimitLease AttemptAcquireCore(int permitCount) => new Refused(null);

    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _active);
        try
        {
            return await SpendOrFetchAsync(permitCount, cancellationToken);
        }
        finally
        {
            Volatile.Write(ref _lastUsed, Stopwatch.GetTimestamp());
            Interlocked.Decrement(ref _active);
        }
    }

    private async ValueTask<RateLimitLease> SpendOrFetchAsync(int permitCount, CancellationToken cancellationToken)
    {
        if (SpendHeld(permitCount))
        {
            return Granted.Instance;
        }

        // One batch at a time: requests arriving together would otherwise each take a batch.
        await _fetching.WaitAsync(cancellationToken);
        try
        {
            return SpendHeld(permitCount) ? Granted.Instance : await FetchAsync(permitCount, cancellationToken);
        }
        finally
        {
            _fetching.Release();
        }
    }

    private async Task<RateLimitLease> FetchAsync(int permitCount, CancellationToken cancellationToken)
    {
        // A batch, the rest of which is kept for the next requests; near the limit, just what this request needs.
        var asked = Math.Max(_batch, permitCount);
        var (counted, lease) = await _redis.TryAsync(_ => _shared.AcquireAsync(asked, cancellationToken).AsTask(), cancellationToken);
        if (counted && !lease.IsAcquired && asked > permitCount)
        {
            lease.Dispose();
            asked = permitCount;
            (counted, lease) = await _redis.TryAsync(_ => _shared.AcquireAsync(asked, cancellationToken).AsTask(), cancellationToken);
        }

        if (!counted)
        {
            return await _local.AcquireAsync(permitCount, cancellationToken);
        }

        if (lease.IsAcquired)
        {
            Hold(lease, asked - permitCount);
            lease.Dispose();
            return Granted.Instance;
        }

        // RedisRateLimiting gives Retry-After as whole seconds under a metadata name of its own; the shop's
        // rejection handler reads the standard one.
        var retryAfter = lease.TryGetMetadata(RateLimitMetadataName.RetryAfter, out var seconds) ? TimeSpan.FromSeconds(Math.Max(1, seconds)) : _window;
        lease.Dispose();
        return new Refused(retryAfter);
    }

    // RedisRateLimiting keeps a window open through the second it ends in (its script starts a new one once
    // the end is before now), so held permits are good through that second too. Treating them as void in it
    // made every request of that second fetch a new batch into the same window: the window filled in a
    // fraction of a second and the rest of the second was refused (429s under a load far below the limit).
    private bool SpendHeld(int permitCount)
    {
        lock (_gate)
        {
            if (_held < permitCount || DateTimeOffset.UtcNow.ToUnixTimeSeconds() > _heldUntil)
            {
                return false;
            }

            _held -= permitCount;
            return true;
        }
    }

    // Keeps the permits a lease granted beyond this request until the end of the window they were taken
    // from (RedisRateLimiting's Reset metadata: the window's end, in unix seconds up to 1.2.1; its next
    // release switches to milliseconds, which SharedWindowTests would catch).
    private void Hold(RateLimitLease lease, int spare)
    {
        if (spare > 0 && lease.TryGetMetadata(RateLimitMetadataName.Reset, out var reset) && reset is long windowEnd)
        {
            lock (_gate)
            {
                _held = (windowEnd == _heldUntil ? _held : 0) + spare;
                _heldUntil = windowEnd;
            }
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _shared.Dispose();
            _local.Dispose();
            _fetching.Dispose();
        }

        base.Dispose(disposing);
    }

    private sealed class Granted : RateLimitLease
    {
        public static readonly Granted Instance = new();

        public override bool IsAcquired => true;

        public override IEnumerable<string> MetadataNames => [];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = null;
            return false;
        }
    }

    private sealed class Refused(TimeSpan? retryAfter) : RateLimitLease
    {
        public override bool IsAcquired => false;

        public override IEnumerable<string> MetadataNames => retryAfter is null ? [] : [MetadataName.RetryAfter.Name];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = metadataName == MetadataName.RetryAfter.Name ? retryAfter : null;
            return metadata is not null;
        }
    }
}
