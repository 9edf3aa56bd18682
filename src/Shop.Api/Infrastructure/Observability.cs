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

        var health = builder.Services.AddHealthChecks()
            .AddDbContextCheck<ShopDbContext>("database", tags: [ReadyTag]);
        if (builder.Configuration.GetConnectionString("RabbitMq") is { Length: > 0 } rabbitMq)
        {
            health.AddCheck("rabbitmq", new RabbitMqHealthCheck(new Uri(rabbitMq)), tags: [ReadyTag]);
        }

        return builder;
    }

    /// <summary>Request counts and durations by status class, method and route template, every label bounded.</summary>
    public static WebApplication UseShopMetrics(this WebApplication app)
    {
        app.UseHttpMetrics(BoundedHttpMetrics.Configure);
        return app;
    }

    /// <summary>Health checks and metrics, for GET and HEAD only (anything else is 405): probes and scrapers read, nothing more.</summary>
    public static WebApplication MapShopOperations(this WebApplication app)
    {
        var readOnly = new HttpMethodMetadata([HttpMethods.Get, HttpMethods.Head]);
        app.MapHealthChecks("/health/live", new() { Predicate = _ => false, ResponseWriter = WriteHealthAsync }).WithMetadata(readOnly);
        app.MapHealthChecks("/health/ready", new() { Predicate = c => c.Tags.Contains(ReadyTag), ResponseWriter = WriteHealthAsync }).WithMetadata(readOnly);
        app.MapMetrics("/metrics").WithMetadata(readOnly);
        return app;
    }

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
