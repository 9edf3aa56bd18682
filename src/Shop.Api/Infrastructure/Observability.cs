using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Prometheus;
using Shop.Core.Data;
using Shop.Core.Messaging;

namespace Shop.Api.Infrastructure;

public static class Observability
{
    private const string ReadyTag = "ready";

    /// <summary>JSON logs that carry the trace id, health checks, Prometheus metrics.</summary>
    public static WebApplicationBuilder AddShopObservability(this WebApplicationBuilder builder)
    {
        builder.Logging.ClearProviders();
        builder.Logging.AddJsonConsole(o =>
        {
            o.IncludeScopes = true;
            o.UseUtcTimestamp = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
        });
        builder.Logging.Configure(o => o.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId);

        // First, so that it runs before anything can count: see MetricsWarmUp.
        builder.Services.AddShopMetrics();
        if (ManagementPort(builder.Configuration) is { } metricsPort)
        {
            builder.Services.AddMetricServer(o => o.Port = (ushort)metricsPort);
        }

        var health = builder.Services.AddHealthChecks()
            .AddDbContextCheck<ShopDbContext>("database", tags: [ReadyTag]);
        if (builder.Configuration.GetConnectionString("RabbitMq") is { Length: > 0 } rabbitMq)
        {
            health.AddCheck("rabbitmq", new RabbitMqHealthCheck(new Uri(rabbitMq)), tags: [ReadyTag]);
        }

        if (builder.Configuration.GetConnectionString("Redis") is { Length: > 0 })
        {
            // Without Redis the API still answers (from memory and the database): degraded, not down.
            health.AddCheck<RedisHealthCheck>("redis", HealthStatus.Degraded, tags: [ReadyTag]);
        }

        if (builder.Configuration.GetConnectionString(ReadReplicaSetup.ConnectionStringName) is { Length: > 0 }
            && builder.Configuration.GetValue<DatabaseProvider>("Database:Provider") == DatabaseProvider.Postgres)
        {
            // A replica not read (down, lagging, promoted) costs the primary more work, nothing else: degraded.
            health.AddCheck<ReplicaHealthCheck>("database-replica", HealthStatus.Degraded, tags: [ReadyTag]);
        }

        return builder;
    }

    /// <summary>Request counts and durations by status class, method and route template, every label bounded.</summary>
    public static WebApplication UseShopMetrics(this WebApplication app)
    {
        app.UseMiddleware<HttpRequestMetrics>();
        return app;
    }

    /// <summary>
    /// Health checks, and /metrics unless <c>Metrics:Port</c> moves it to a management port of its
    /// own (which the public should not reach); GET and HEAD only (anything else is 405).
    /// </summary>
    public static WebApplication MapShopOperations(this WebApplication app)
    {
        var readOnly = new HttpMethodMetadata([HttpMethods.Get, HttpMethods.Head]);
        app.MapHealthChecks("/health/live", new() { Predicate = _ => false, ResponseWriter = WriteHealthAsync }).WithMetadata(readOnly);
        app.MapHealthChecks("/health/ready", new() { Predicate = c => c.Tags.Contains(ReadyTag), ResponseWriter = WriteHealthAsync }).WithMetadata(readOnly);
        if (ManagementPort(app.Configuration) is null)
        {
            app.MapMetrics("/metrics").WithMetadata(readOnly);
        }

        return app;
    }

    /// <summary><c>Metrics:Port</c>, when set and not 0. Unlike the worker's (9464 by default), the API's has no default.</summary>
    private static int? ManagementPort(IConfiguration configuration) => configuration.GetValue<int?>("Metrics:Port") switch
    {
        null or 0 => null,
        > 0 and <= ushort.MaxValue and var port => port,
        var port => throw new InvalidOperationException($"Metrics:Port must be a port number (1 to 65535), or 0 for none, not {port}."),
    };

    private static Task WriteHealthAsync(HttpContext http, HealthReport report)
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

/// <summary>Healthy while the catalog reads the replica (<see cref="ReplicaMonitor"/>'s last check), degraded otherwise.</summary>
internal sealed class ReplicaHealthCheck(ReplicaMonitor monitor) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(monitor.Status is { Usable: true } status
            ? HealthCheckResult.Healthy(status.Description)
            : new HealthCheckResult(context.Registration.FailureStatus, $"Catalog reads go to the primary; the replica: {monitor.Status.Description}."));
}
