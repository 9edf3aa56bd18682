using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Shop.Core.Data;
using Shop.Core.Messaging;

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
        // The ready checks also run every 30 s for shop_health_status (see HealthMetrics).
        services.AddSingleton<IHealthCheckPublisher, HealthMetrics>();
        services.Configure<HealthCheckPublisherOptions>(o => o.Predicate = c => c.Tags.Contains(ReadyTag));
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

/// <summary>
/// The ready checks' latest results as <c>shop_health_status{check}</c>: 1 healthy, 0.5 degraded, 0
/// unhealthy. Prometheus scrapes /metrics, not /health/ready, and an alert needs "the API answers but
/// is not ready" (its database refuses it) and "the replica is not read" as series. The checks run in
/// the background on the health publisher's period (30 s), never per scrape.
/// </summary>
internal sealed class HealthMetrics : IHealthCheckPublisher
{
    // One process, one host: the gauge reads what this process's publisher saw last.
    private static readonly ConcurrentDictionary<string, double> Latest = new();

    private static readonly ObservableGauge<double> Status = ShopMetrics.Meter.CreateObservableGauge("health_status",
        () => Latest.Select(c => new Measurement<double>(c.Value, new KeyValuePair<string, object?>("check", c.Key))),
        description: "The latest result of each readiness check: 1 healthy, 0.5 degraded, 0 unhealthy.");

    public Task PublishAsync(HealthReport report, CancellationToken cancellationToken)
    {
        foreach (var (check, entry) in report.Entries)
        {
            Latest[check] = entry.Status switch
            {
                HealthStatus.Healthy => 1,
                HealthStatus.Degraded => 0.5,
                _ => 0,
            };
        }

        return Task.CompletedTask;
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
