using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Shop.Core.Caching;

/// <summary>
/// One warning when the cache loses Redis and one line when it is back, instead of an error per
/// request: FusionCache's own Redis errors are logged at Debug (<see cref="CachingSetup"/>), and its
/// circuit breaker stops trying Redis for a moment after each failure. Rate limits log their own
/// fallback (<see cref="RedisCounters"/>).
/// </summary>
public sealed partial class RedisConnectionLog(IConnectionMultiplexer redis, ILogger<RedisConnectionLog> logger) : IHostedService
{
    private int _down;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        redis.ConnectionFailed += OnFailed;
        redis.ConnectionRestored += OnRestored;
        if (!redis.IsConnected)
        {
            Down("not connected at start-up");
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        redis.ConnectionFailed -= OnFailed;
        redis.ConnectionRestored -= OnRestored;
        return Task.CompletedTask;
    }

    private void OnFailed(object? sender, ConnectionFailedEventArgs e) => Down($"{e.FailureType} on {e.EndPoint}");

    private void OnRestored(object? sender, ConnectionFailedEventArgs e)
    {
        if (redis.IsConnected && Interlocked.Exchange(ref _down, 0) == 1)
        {
            RedisBack(logger, e.EndPoint?.ToString() ?? "redis");
        }
    }

    private void Down(string reason)
    {
        if (Interlocked.Exchange(ref _down, 1) == 0)
        {
            RedisDown(logger, reason);
        }
    }

    [LoggerMessage(LogLevel.Warning, "Redis is unreachable ({Reason}): the cache serves from memory and the database until it is back.")]
    private static partial void RedisDown(ILogger logger, string reason);

    [LoggerMessage(LogLevel.Information, "Redis is reachable again ({EndPoint}): the shared cache is back.")]
    private static partial void RedisBack(ILogger logger, string endPoint);
}
