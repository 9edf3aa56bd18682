using System.Diagnostics;
using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Microsoft.AspNetCore.Hosting;
using Sentry;
using Sentry.AspNetCore;
using Sentry.Extensibility;
using Sentry.Extensions.Logging;
using Shop.Core.Data;

namespace Shop.Core.Common;

/// <summary>
/// What the API and the worker tell an operator, configured the same way in both: JSON logs that
/// carry the trace and span ids, OpenTelemetry traces (exported with OTLP when the standard
/// <c>OTEL_EXPORTER_OTLP_*</c> variables name an endpoint), and error reports to Sentry when
/// <c>Sentry:Dsn</c> is set.
/// </summary>
/// <remarks>
/// Without an OTLP endpoint there is no OpenTelemetry SDK and no exporter: spans exist only as ids
/// (<see cref="TraceIdsOnly"/>), so an incoming <c>traceparent</c> and the trace ids in logs,
/// problem bodies and messages work the same, at no recording cost.
/// </remarks>
public static class Telemetry
{
    /// <summary>The shop's own spans: the payment provider's calls and emails.</summary>
    public static readonly ActivitySource Source = new("Shop");

    /// <summary><c>service.version</c> and Sentry's release: the informational version of the running app.</summary>
    public static string Version { get; } =
        (Assembly.GetEntryAssembly() ?? typeof(Telemetry).Assembly).GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? "unknown";

    /// <summary>Wolverine's spans: sending, receiving and handling a message.</summary>
    private const string WolverineSource = "Wolverine";

    /// <summary>MailKit's spans around connecting to and talking with the SMTP server.</summary>
    private const string MailKitSource = "MailKit.Net.SmtpClient";

    /// <param name="serviceName"><c>shop-api</c> or <c>shop-worker</c>, unless <c>OTEL_SERVICE_NAME</c> says otherwise.</param>
    public static WebApplicationBuilder AddShopTelemetry(this WebApplicationBuilder builder, string serviceName)
    {
        builder.AddShopJsonLogs();
        builder.AddShopTracing(serviceName);
        builder.AddShopErrorReports();
        return builder;
    }

    /// <summary>One JSON object per line, with the trace and span ids of the work that logged it.</summary>
    private static void AddShopJsonLogs(this WebApplicationBuilder builder)
    {
        builder.Logging.ClearProviders();
        builder.Logging.AddJsonConsole(o =>
        {
            o.IncludeScopes = true;
            o.UseUtcTimestamp = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
        });
        builder.Logging.Configure(o => o.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId);
    }

    /// <summary>Whether the standard variables name an OTLP endpoint for traces (and the SDK is not disabled).</summary>
    public static bool ExportsTraces(IConfiguration configuration) =>
        !string.Equals(configuration["OTEL_SDK_DISABLED"], "true", StringComparison.OrdinalIgnoreCase)
        && !string.Equals(configuration["OTEL_TRACES_EXPORTER"], "none", StringComparison.OrdinalIgnoreCase)
        && (!string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"])
            || !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"]));

    private static void AddShopTracing(this WebApplicationBuilder builder, string serviceName)
    {
        var configuration = builder.Configuration;
        var exporting = ExportsTraces(configuration);
        var provider = configuration.GetSection(DatabaseOptions.Section).GetValue(nameof(DatabaseOptions.Provider), DatabaseProvider.Sqlite);
        var redis = !string.IsNullOrWhiteSpace(configuration.GetConnectionString("Redis"));
        var environment = builder.Environment.EnvironmentName.ToLowerInvariant();

        if (!exporting)
        {
            // Ids only: the trace goes on through logs and messages, nothing is recorded or sent.
            builder.Services.AddHostedService<TraceIdsOnly>();
            return;
        }

        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource
                .AddService(configuration["OTEL_SERVICE_NAME"] ?? serviceName, serviceVersion: Version)
                .AddAttributes([new("deployment.environment", environment), new("deployment.environment.name", environment)]))
            .WithTracing(tracing =>
            {
                // The sampler is the SDK's default (parent-based, always on), or OTEL_TRACES_SAMPLER's.
                MailKit.Telemetry.SmtpClient.Configure();
                tracing.AddSource(Source.Name, WolverineSource, MailKitSource)
                    .AddAspNetCoreInstrumentation(o => o.Filter = http => !IsOperations(http.Request.Path))
                    .AddHttpClientInstrumentation();
                if (provider == DatabaseProvider.Postgres)
                {
                    tracing.AddNpgsql();
                }
                else
                {
                    tracing.AddEntityFrameworkCoreInstrumentation();
                }

                if (redis)
                {
                    tracing.AddRedisInstrumentation();
                }

                // OTEL_EXPORTER_OTLP_ENDPOINT, _PROTOCOL (grpc or http/protobuf), _HEADERS... are read by the exporter.
                tracing.AddOtlpExporter();
            });
    }

    /// <summary>
    /// Without an exporter: Wolverine's and the shop's spans exist as ids only, so that a message
    /// handled in a worker continues the trace of the request that sent it (its logs carry that
    /// trace id) at no recording cost. ASP.NET Core makes its request activities by itself.
    /// </summary>
    /// <remarks>
    /// Not OpenTelemetry's AlwaysOff sampler: it drops a span whose parent is local and unsampled,
    /// and Wolverine starts a handler's span from the id it carried as a local parent, so the
    /// chain broke at the first handler.
    /// </remarks>
    private sealed class TraceIdsOnly : IHostedService, IDisposable
    {
        private readonly ActivityListener _listener = new()
        {
            ShouldListenTo = source => source.Name is "Shop" or WolverineSource,
            Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.PropagationData,
        };

        public Task StartAsync(CancellationToken cancellationToken)
        {
            ActivitySource.AddActivityListener(_listener);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public void Dispose() => _listener.Dispose();
    }

    /// <summary>Probes and scrapes: every few seconds from every orchestrator, and no one's request.</summary>
    private static bool IsOperations(PathString path) =>
        path.StartsWithSegments("/health") || path.StartsWithSegments("/metrics");

    /// <summary>
    /// Sentry, when <c>Sentry:Dsn</c> is set: unhandled exceptions (the API answered 500) and
    /// messages moved to the dead letters, with the trace id, release, environment and the user's
    /// id. Never a 4xx, never a request body, a token, a cookie or an email address.
    /// </summary>
    private static void AddShopErrorReports(this WebApplicationBuilder builder)
    {
        if (string.IsNullOrWhiteSpace(builder.Configuration["Sentry:Dsn"]))
        {
            return;
        }

        builder.Services.AddHttpContextAccessor();
        builder.Services.AddSingleton<ISentryEventProcessor, ErrorReportScrubber>();
        var environment = builder.Environment.EnvironmentName.ToLowerInvariant();
        builder.WebHost.UseSentry(o =>
        {
            o.Release = Version;
            o.Environment = environment;
            o.SendDefaultPii = false;
            o.MaxRequestBodySize = RequestSize.None;
            o.AutoSessionTracking = false;
            // Traces are OpenTelemetry's; Sentry keeps to errors.
            o.TracesSampleRate = 0;
            o.DisableSentryHttpMessageHandler = true;
            o.MinimumBreadcrumbLevel = LogLevel.None;
            o.MinimumEventLevel = LogLevel.Error;
            // From the logs only a dead letter (each failed attempt before it is retried, not
            // reported) and a crash: the API's 500s come from Sentry's middleware itself.
            o.AddLogEntryFilter((category, level, eventId, _) => !(level == LogLevel.Critical || IsDeadLetter(category, level, eventId)));
            o.AddEventProcessor(new TraceContext(environment));
        });
    }

    /// <summary>Wolverine's "moved to the error queue" log entry (its event id 108, at Error).</summary>
    private static bool IsDeadLetter(string category, LogLevel level, EventId eventId) =>
        level == LogLevel.Error && eventId.Id == Wolverine.Runtime.WolverineRuntime.MovedToErrorQueueId
        && category.StartsWith("Wolverine", StringComparison.Ordinal);

    /// <summary>
    /// The OpenTelemetry trace the event happened in (Sentry's own trace ids would name no trace the
    /// operator has), and the environment (which events logged outside a request were sent without).
    /// </summary>
    private sealed class TraceContext(string environment) : ISentryEventProcessor
    {
        public SentryEvent? Process(SentryEvent @event)
        {
            @event.Environment ??= environment;
            if (Activity.Current is { IdFormat: ActivityIdFormat.W3C } activity)
            {
                var traceId = activity.TraceId.ToHexString();
                @event.Contexts.Trace.TraceId = SentryId.Parse(traceId);
                @event.Contexts.Trace.SpanId = SpanId.Parse(activity.SpanId.ToHexString());
                @event.SetTag("trace_id", traceId);
            }

            return @event;
        }
    }

    /// <summary>
    /// Drops what is not the shop's fault (an exception the API answered with a 4xx: Sentry's
    /// middleware sees every exception the exception handler saw), adds the signed-in user's id,
    /// and keeps credentials and personal data out: no query string, no cookies, headers from an
    /// allow-list only.
    /// </summary>
    private sealed class ErrorReportScrubber(IHttpContextAccessor http) : ISentryEventProcessor
    {
        private static readonly HashSet<string> SafeHeaders = new(StringComparer.OrdinalIgnoreCase)
        {
            "Accept", "Content-Type", "Content-Length", "User-Agent", "Host", "traceparent", "tracestate",
        };

        public SentryEvent? Process(SentryEvent @event)
        {
            if (http.HttpContext is { } context)
            {
                if (context.Response.StatusCode is >= 400 and < 500)
                {
                    return null;
                }

                if (context.User.FindFirst("sub")?.Value is { } userId)
                {
                    @event.User = new SentryUser { Id = userId };
                }
            }

            @event.Request.QueryString = null;
            @event.Request.Cookies = null;
            @event.Request.Data = null;
            foreach (var header in @event.Request.Headers.Keys.Where(h => !SafeHeaders.Contains(h)).ToList())
            {
                @event.Request.Headers.Remove(header);
            }

            return @event;
        }
    }
}
