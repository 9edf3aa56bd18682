using System.Text.Json;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Caching.StackExchangeRedis;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using ZiggyCreatures.Caching.Fusion;
using ZiggyCreatures.Caching.Fusion.Backplane.StackExchangeRedis;
using ZiggyCreatures.Caching.Fusion.Serialization.SystemTextJson;

namespace Shop.Core.Caching;

public static class CachingSetup
{
    /// <summary>The memory cache's bound, in products (Caching:MemorySizeLimit): about 50 MB of cached answers.</summary>
    public const long DefaultMemorySizeLimit = 50_000;

    /// <summary>
    /// FusionCache: memory in every process; with <c>ConnectionStrings:Redis</c> also Redis as the
    /// shared second level and as the backplane that evicts an entry on every process at once.
    /// Redis being slow or down never fails a request: its operations are bounded by short timeouts
    /// and run in the background, and a stale entry may answer while the database is down (fail-safe).
    /// </summary>
    public static IServiceCollection AddShopCaching(this IServiceCollection services, IConfiguration configuration)
    {
        // Bounded: list pages are keyed by what clients send (a search, a price range), so an unbounded memory cache
        // would keep whatever a client invents for as long as the entries live. Sizes are in products: an entry counts
        // one per product it holds, and one for itself (see ProductCache); compaction drops what is over the limit.
        var sizeLimit = configuration.GetValue<long?>("Caching:MemorySizeLimit") ?? DefaultMemorySizeLimit;
        if (sizeLimit <= 0)
        {
            throw new InvalidOperationException("Caching:MemorySizeLimit must be above 0.");
        }

        var cache = services.AddFusionCache()
            .WithMemoryCache(_ => new MemoryCache(new MemoryCacheOptions { SizeLimit = sizeLimit }))
            .WithOptions(o =>
            {
                // RemoveByTag and Clear keep their markers in the memory cache too.
                o.TagsDefaultEntryOptions.Size = 1;
                // Shops (or test hosts) sharing one Redis each name their own keys and tags.
                if (configuration["Caching:KeyPrefix"] is { Length: > 0 } prefix)
                {
                    o.CacheKeyPrefix = prefix + ":";
                }

                // Redis failing is logged once per outage (RedisConnectionLog), not once per request;
                // after a failure, Redis is left alone for a moment instead of being tried on every call.
                o.DistributedCacheErrorsLogLevel = LogLevel.Debug;
                o.BackplaneErrorsLogLevel = LogLevel.Debug;
                o.DistributedCacheCircuitBreakerDuration = TimeSpan.FromSeconds(2);
                o.BackplaneCircuitBreakerDuration = TimeSpan.FromSeconds(2);
            })
            .WithDefaultEntryOptions(o =>
            {
                o.Size = 1;
                o.IsFailSafeEnabled = true;
                o.FailSafeMaxDuration = TimeSpan.FromHours(1);
                o.FailSafeThrottleDuration = TimeSpan.FromSeconds(10);
                o.FactorySoftTimeout = TimeSpan.FromMilliseconds(500);
                o.FactoryHardTimeout = TimeSpan.FromSeconds(5);
                o.DistributedCacheSoftTimeout = TimeSpan.FromMilliseconds(100);
                o.DistributedCacheHardTimeout = TimeSpan.FromSeconds(1);
                o.AllowBackgroundDistributedCacheOperations = true;
                o.AllowBackgroundBackplaneOperations = true;
            })
            // Fields included: FusionCache's own entries hold value tuples, which System.Text.Json skips otherwise.
            .WithSerializer(new FusionCacheSystemTextJsonSerializer(new JsonSerializerOptions { IncludeFields = true }));

        if (configuration.GetConnectionString("Redis") is { Length: > 0 } redis)
        {
            // One connection for the cache and the backplane. It connects in the background and
            // keeps retrying, so the API starts, and serves from the database, while Redis is down.
            var options = ConfigurationOptions.Parse(redis);
            options.AbortOnConnectFail = false;
            options.ConnectTimeout = Math.Min(options.ConnectTimeout, 2000);
            // While disconnected, a command fails at once instead of waiting in a backlog for the
            // connection to return; and one Redis does not answer fails within a second. The cache
            // then answers from memory or the database.
            options.BacklogPolicy = BacklogPolicy.FailFast;
            options.SyncTimeout = Math.Min(options.SyncTimeout, 1000);
            options.AsyncTimeout = Math.Min(options.AsyncTimeout, 1000);
            var connection = new Lazy<Task<IConnectionMultiplexer>>(async () => await ConnectionMultiplexer.ConnectAsync(options));
            services.AddSingleton(_ => connection.Value.GetAwaiter().GetResult());
            services.AddHostedService<RedisConnectionLog>();
            // Rate limits and failed logins, counted by every process together (Caching:KeyPrefix keeps deployments apart).
            services.AddSingleton(s => new RedisCounters(s.GetRequiredService<IConnectionMultiplexer>(), configuration["Caching:KeyPrefix"] ?? "",
                s.GetRequiredService<TimeProvider>(), s.GetRequiredService<ILogger<RedisCounters>>()));
            cache
                .WithDistributedCache(new RedisCache(new RedisCacheOptions { ConnectionMultiplexerFactory = () => connection.Value }))
                .WithBackplane(new RedisBackplane(new RedisBackplaneOptions { ConnectionMultiplexerFactory = () => connection.Value }));
        }

        return services;
    }
}
