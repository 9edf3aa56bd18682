using Microsoft.Extensions.Logging.Abstractions;
using Shop.Core.Caching;
using Shop.IntegrationTests.Infrastructure;
using StackExchange.Redis;

namespace Shop.IntegrationTests;

/// <summary>
/// The shared fixed window (<see cref="SharedFixedWindowLimiter"/>) against the run's Redis: permits a
/// process takes in batches are spent only in the window they were counted in, and a limiter spending
/// them is busy, not idle.
/// </summary>
[Trait("Category", "Postgres")]
public sealed class SharedWindowTests : IAsyncLifetime
{
    private ConnectionMultiplexer _redis = null!;
    private RedisCounters _counters = null!;
    private readonly string _limit = $"window-test-{Guid.NewGuid():N}";

    public async Task InitializeAsync()
    {
        _redis = await ConnectionMultiplexer.ConnectAsync(PostgresShop.RedisConnectionString);
        _counters = new RedisCounters(_redis, "shop-tests", TimeProvider.System, NullLogger<RedisCounters>.Instance);
    }

    public async Task DisposeAsync() => await _redis.DisposeAsync();

    // What one API process builds for one partition (one client address).
    private System.Threading.RateLimiting.RateLimiter Limiter(int permits, TimeSpan window)
    {
        var partition = SharedFixedWindowLimiter.Partition(_counters, _limit, "127.0.0.1", permits, window);
        return partition.Factory(partition.PartitionKey);
    }

    [Fact]
    public async Task Permits_held_from_a_window_that_ended_are_not_spent_in_the_next()
    {
        var window = TimeSpan.FromSeconds(2);
        using var first = Limiter(100, window); // batches of 2
        using var second = Limiter(100, window);
        Assert.True((await first.AcquireAsync(1)).IsAcquired); // takes 2, holds 1

        // Windows end on a whole second and stay open through it: this one is over within window + 1 s.
        await Task.Delay(window + TimeSpan.FromSeconds(1.2));
        var granted = 0;
        for (var i = 0; i < 101; i++)
        {
            granted += (await second.AcquireAsync(1)).IsAcquired ? 1 : 0;
        }

        // The new window is full: the permit the first process kept from the old one is void.
        Assert.Equal(100, granted);
        Assert.False((await first.AcquireAsync(1)).IsAcquired);
    }

    [Fact]
    public async Task Requests_in_the_last_second_of_a_window_spend_the_permits_held_for_it()
    {
        using var limiter = Limiter(1_000, TimeSpan.FromSeconds(2)); // batches of 20

        // RedisRateLimiting ends a window on a whole second (the first request's time + the window) and
        // keeps it open through that second. Starting early in a second makes that last second known.
        while (DateTimeOffset.UtcNow.Millisecond > 300)
        {
            await Task.Delay(20);
        }

        var lastSecond = DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 2;
        Assert.True((await limiter.AcquireAsync(1)).IsAcquired); // takes 20, holds 19
        while (DateTimeOffset.UtcNow.ToUnixTimeSeconds() < lastSecond)
        {
            await Task.Delay(10);
        }

        // 60 requests in that second, far below the limit; each fetching a batch of its own would fill the window.
        var refused = 0;
        for (var i = 0; i < 60; i++)
        {
            refused += (await limiter.AcquireAsync(1)).IsAcquired ? 0 : 1;
        }

        Assert.Equal(0, refused);
    }

    [Fact]
    public async Task A_limiter_spending_permits_it_holds_is_not_idle()
    {
        using var limiter = Limiter(1_000, TimeSpan.FromMinutes(1)); // batches of 20
        Assert.True((await limiter.AcquireAsync(1)).IsAcquired);
        await Task.Delay(TimeSpan.FromSeconds(1.2));
        Assert.True((await limiter.AcquireAsync(1)).IsAcquired); // from the batch: Redis not asked

        // The partitioned limiter disposes a limiter idle for 10 s: idle counts from the last request.
        Assert.InRange(limiter.IdleDuration!.Value, TimeSpan.Zero, TimeSpan.FromSeconds(1));
    }
}
