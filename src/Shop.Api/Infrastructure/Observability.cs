using Prometheus;
using Shop.Core.Common;
using Shop.Core.Messaging;

namespace Shop.Api.Infrastructure;

public static class Observability
{
    /// <summary>JSON logs with trace ids, traces (OTLP) and error reports (Sentry) when configured, health checks, Prometheus metrics.</summary>
    public static WebApplicationBuilder AddShopObservability(this WebApplicationBuilder builder)
    {
        builder.AddShopTelemetry("shop-api");

        // First, so that it runs before anything can count: see MetricsWarmUp.
        builder.Services.AddShopMetrics();
        if (ManagementPort(builder.Configuration) is { } metricsPort)
        {
            builder.Services.AddMetricServer(o => o.Port = (ushort)metricsPort);
        }

        // The read replica's check comes with the replica (AddShopCatalogReads).
        builder.Services.AddShopHealthChecks(builder.Configuration);
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
        app.MapShopHealth();
        if (ManagementPort(app.Configuration) is null)
        {
            app.MapMetrics("/metrics").WithMetadata(Health.ReadOnly);
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
}
