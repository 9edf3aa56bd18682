using System.Collections.Concurrent;
using System.Diagnostics;
using Prometheus;

namespace Shop.Api.Infrastructure;

/// <summary>
/// The three HTTP metrics prometheus-net's middleware exports, under the same names and labels, from
/// one middleware that looks its series up once per route and method: prometheus-net's three built
/// label arrays and looked series up on every request, 7% of the CPU of serving a cached product.
/// Every label is bounded, so a client that invents methods or paths invents no series: <c>method</c>
/// is a standard method or <c>OTHER</c>; <c>endpoint</c> is the matched route template, or "" for
/// every request that matched none; <c>code</c> is the status class (<c>2xx</c>) of the answer
/// the client got: it runs outside the error handler, which turns exceptions into problem answers.
/// </summary>
public sealed class HttpRequestMetrics(RequestDelegate next)
{
    private const string OtherMethod = "OTHER";

    private static readonly string[] StandardMethods =
    [
        HttpMethods.Get, HttpMethods.Head, HttpMethods.Post, HttpMethods.Put, HttpMethods.Patch,
        HttpMethods.Delete, HttpMethods.Options, HttpMethods.Trace, HttpMethods.Connect,
    ];

    private static readonly Gauge InProgress = Metrics.CreateGauge("http_requests_in_progress",
        "The number of requests currently in progress in the ASP.NET Core pipeline.", "method", "endpoint");

    private static readonly Counter Received = Metrics.CreateCounter("http_requests_received_total",
        "Provides the count of HTTP requests that have been processed by the ASP.NET Core pipeline.", "code", "method", "endpoint");

    private static readonly Histogram Duration = Metrics.CreateHistogram("http_request_duration_seconds",
        "The duration of HTTP requests processed by an ASP.NET Core application.", new HistogramConfiguration
        {
            LabelNames = ["code", "method", "endpoint"],
            Buckets = Histogram.ExponentialBuckets(0.001, 2, 16), // 1 ms to 32 s, as prometheus-net's default
        });

    private readonly ConcurrentDictionary<(Endpoint?, int), Series> _series = new();

    public async Task InvokeAsync(HttpContext context)
    {
        var series = SeriesOf(context.GetEndpoint(), context.Request.Method);
        series.InProgress.Inc();
        var started = Stopwatch.GetTimestamp();
        var failed = false;
        try
        {
            await next(context);
        }
        catch
        {
            failed = true; // past the error handler: the server answers 500
            throw;
        }
        finally
        {
            series.InProgress.Dec();
            series.Record(failed ? 5 : context.Response.StatusCode / 100, Stopwatch.GetElapsedTime(started).TotalSeconds);
        }
    }

    private Series SeriesOf(Endpoint? endpoint, string method) =>
        _series.GetOrAdd((endpoint, Array.IndexOf(StandardMethods, method)), static key => new Series(
            key.Item1 is RouteEndpoint route ? route.RoutePattern.RawText ?? "" : "",
            key.Item2 >= 0 ? StandardMethods[key.Item2] : OtherMethod));

    /// <summary>The series of one route and method; those of a status class are made when it first occurs.</summary>
    private sealed class Series(string endpoint, string method)
    {
        private readonly ClassSeries?[] _byClass = new ClassSeries?[6];

        public Gauge.Child InProgress { get; } = HttpRequestMetrics.InProgress.WithLabels(method, endpoint);

        public void Record(int statusClass, double seconds)
        {
            statusClass = Math.Clamp(statusClass, 1, 5);
            var series = _byClass[statusClass] ??= Create(statusClass); // a race makes the same children twice: harmless
            series.Count.Inc();
            series.Duration.Observe(seconds);
        }

        private ClassSeries Create(int statusClass)
        {
            var code = $"{statusClass}xx";
            return new(Received.WithLabels(code, method, endpoint), Duration.WithLabels(code, method, endpoint));
        }
    }

    private sealed record ClassSeries(Counter.Child Count, Histogram.Child Duration);
}
