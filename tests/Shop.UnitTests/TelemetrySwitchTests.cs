using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;
using Shop.Core.Common;

namespace Shop.UnitTests;

/// <summary>Traces are exported and errors reported only when their settings say where to.</summary>
public sealed class TelemetrySwitchTests
{
    private static WebApplication Build(Dictionary<string, string?> settings)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddShopTelemetry("shop-test");
        return builder.Build();
    }

    [Fact]
    public async Task Without_an_endpoint_or_a_dsn_there_is_no_tracer_provider_and_no_sentry()
    {
        await using var app = Build(new() { ["OTEL_SERVICE_NAME"] = "shop-quiet", ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "grpc" });
        Assert.Null(app.Services.GetService<TracerProvider>());
        Assert.Null(app.Services.GetService<Sentry.IHub>());
    }

    [Fact]
    public async Task An_endpoint_makes_a_tracer_provider_and_a_dsn_makes_sentry()
    {
        await using var app = Build(new()
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://127.0.0.1:9",
            ["Sentry:Dsn"] = "http://0123456789abcdef0123456789abcdef@127.0.0.1:9/1",
        });
        Assert.NotNull(app.Services.GetService<TracerProvider>());
        Assert.NotNull(app.Services.GetService<Sentry.IHub>());
    }

    [Theory]
    [InlineData(null, null, null, null, false)]
    [InlineData("http://collector:4317", null, null, null, true)]
    [InlineData(null, "http://collector:4318/v1/traces", null, null, true)]
    [InlineData("http://collector:4317", null, "true", null, false)]
    [InlineData("http://collector:4317", null, null, "none", false)]
    [InlineData("  ", null, null, null, false)]
    public void Only_an_endpoint_turns_export_on_unless_the_sdk_or_the_trace_exporter_is_off(
        string? endpoint, string? tracesEndpoint, string? sdkDisabled, string? tracesExporter, bool exports)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = endpoint,
            ["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"] = tracesEndpoint,
            ["OTEL_SDK_DISABLED"] = sdkDisabled,
            ["OTEL_TRACES_EXPORTER"] = tracesExporter,
        }).Build();
        Assert.Equal(exports, Telemetry.ExportsTraces(configuration));
    }
}
