using System.Threading.RateLimiting;
using RedisRateLimiting;

namespace Shop.Core.Caching;

/// <summary>
/// A fixed window that every API process counts together in Redis (RedisRateLimiting's fixed window), and
/// that each request Redis cannot count (down, slow, failing: see <see cref="RedisCounters"/>) counts in an
/// in-process window of the same size instead. During an outage N processes thus allow up to N times the
/// limit, as they did before Redis; a 5xx or a stall because of Redis they never give.
/// </summary>
public sealed class SharedFixedWindowLimiter : RateLimiter
{
    private readonly RedisCounters _redis;
    private readonly RedisFixedWindowRateLimiter<string> _shared;
    private readonly FixedWindowRateLimiter _local;
    private readonly TimeSpan _window;

    private SharedFixedWindowLimiter(RedisCounters redis, string key, int permits, TimeSpan window)
    {
        _redis = redis;
        _window = window;
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

    private static FixedWindowRateLimiterOptions InProcess(int permits, TimeSpan window) =>
        new() { PermitLimit = permits, Window = window, QueueLimit = 0, AutoReplenishment = true };

    public override TimeSpan? IdleDuration =>
        _shared.IdleDuration is { } shared && _local.IdleDuration is { } local ? (shared < local ? shared : local) : null;

    public override RateLimiterStatistics? GetStatistics() => _local.GetStatistics();

    /// <summary>
    /// Always "not now", without counting anything: Redis is only asked asynchronously, and the ASP.NET Core
    /// middleware follows a refused attempt with <see cref="AcquireAsyncCore"/> (as RedisRateLimiting expects).
    /// </summary>
    protected override RateLimitLease AttemptAcquireCore(int permitCount) => new Refused(null);

    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        var (counted, lease) = await _redis.TryAsync(_ => _shared.AcquireAsync(permitCount, cancellationToken).AsTask(), cancellationToken);
        if (!counted)
        {
            return await _local.AcquireAsync(permitCount, cancellationToken);
        }

        if (lease.IsAcquired)
        {
            return lease;
        }

        // RedisRateLimiting gives Retry-After as whole seconds under a metadata name of its own; the shop's
        // rejection handler reads the standard one.
        var retryAfter = lease.TryGetMetadata(RateLimitMetadataName.RetryAfter, out var seconds) ? TimeSpan.FromSeconds(Math.Max(1, seconds)) : _window;
        lease.Dispose();
        return new Refused(retryAfter);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _shared.Dispose();
            _local.Dispose();
        }

        base.Dispose(disposing);
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
