using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Shop.Core.Data;

namespace Shop.Core.Common;

/// <summary>
/// The health endpoints of the API and the worker alike: <c>/health/live</c> (the process runs) and
/// <c>/health/ready</c> (the database, and RabbitMQ and Redis when configured, answer), JSON per check.
/// </summary>
public static class Health
{
    public const string ReadyTag = "ready";

    public static IHealthChecksBuilder AddShopHealthChecks(this IServiceCollection services, IConfiguration configuration)
    {
        var health = services.AddHealthChecks()
            .AddDbContextCheck<ShopDbContext>("database", tags: [ReadyTag]);
        if (configuration.GetConnectionString("RabbitMq") is { Length: > 0 } rabbitMq)
        {
            health.AddCheck("rabbitmq", new RabbitMqHealthCheck(new Uri(rabbitMq)), tags: [ReadyTag]);
        }

        if (configuration.GetConnectionString("Redis") is { Length: > 0 })
        {
            // Without Redis the shop still works (from memory and the database): degraded, not down.
            health.AddCheck<RedisHealthCheck>("redis", HealthStatus.Degraded, tags: [ReadyTag]);
        }

        return health;
    }

    /// <summary>GET and HEAD only (anything else is 405).</summary>
    public static IEndpointRouteBuilder MapShopHealth(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHealthChecks("/health/live", new() { Predicate = _ => false, ResponseWriter = WriteAsync }).WithMetadata(ReadOnly);
        endpoints.MapHealthChecks("/health/ready", new() { Predicate = c => c.Tags.Contains(ReadyTag), ResponseWriter = WriteAsync }).WithMetadata(ReadOnly);
        return endpoints;
    }

    public static readonly HttpMethodMetadata ReadOnly = new([HttpMethods.Get, HttpMethods.Head]);

    private static Task WriteAsync(HttpContext http, HealthReport report)
    {
        http.Response.ContentType = "application/json";
        return JsonSerializer.SerializeAsync(http.Response.Body, new
        {
            status = report.Status.ToString(),
            totalDurationMs = Math.Round(report.TotalDuration.TotalMilliseconds, 1),
            checks = report.Entries.ToDictionary(e => e.Key, e => new
            {
                status = e.Value.Status.ToString(),
                durationMs = Math.Round(e.Value.Duration.TotalMilliseconds, 1),
                description = e.Value.Description,
                error = e.Value.Exception?.Message,
            }),
        }, cancellationToken: http.RequestAborted);
    }
}

/// <summary>Ready only while the broker accepts an AMQP connection.</summary>
internal sealed class RabbitMqHealthCheck(Uri uri) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var factory = new RabbitMQ.Client.ConnectionFactory { Uri = uri, RequestedConnectionTimeout = TimeSpan.FromSeconds(3) };
            await using var connection = await factory.CreateConnectionAsync(cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy("RabbitMQ does not accept connections.", e);
        }
    }
}

/// <summary>Healthy while Redis answers a PING within a second.</summary>
internal sealed class RedisHealthCheck(StackExchange.Redis.IConnectionMultiplexer redis) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var latency = await redis.GetDatabase().PingAsync().WaitAsync(TimeSpan.FromSeconds(1), cancellationToken);
            return HealthCheckResult.Healthy($"PING {latency.TotalMilliseconds:0.0} ms");
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, "Redis does not answer; the cache serves from memory and the database.", e);
        }
    }
}
