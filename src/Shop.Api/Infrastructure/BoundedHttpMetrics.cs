using Prometheus;
using Prometheus.HttpMetrics;

namespace Shop.Api.Infrastructure;

/// <summary>
/// prometheus-net's three HTTP metrics, under their usual names, with every label bounded: a
/// client that invents methods or paths must not invent series. <c>method</c> is one of the
/// standard methods or <c>OTHER</c>; <c>endpoint</c> is the matched route template, or "" for every
/// request that matched none; <c>code</c> is the status class (2xx). MVC's controller and action
/// labels are left out: minimal APIs never fill them.
/// </summary>
internal static class BoundedHttpMetrics
{
    public const string OtherMethod = "OTHER";

    private static readonly string[] StandardMethods =
    [
        HttpMethods.Get, HttpMethods.Head, HttpMethods.Post, HttpMethods.Put, HttpMethods.Patch,
        HttpMethods.Delete, HttpMethods.Options, HttpMethods.Trace, HttpMethods.Connect,
    ];

    private static readonly string[] RequestLabels = [HttpRequestLabelNames.Code, HttpRequestLabelNames.Method, HttpRequestLabelNames.Endpoint];
    private static readonly string[] InProgressLabels = [HttpRequestLabelNames.Method, HttpRequestLabelNames.Endpoint];

    public static void Configure(HttpMiddlewareExporterOptions options)
    {
        options.ReduceStatusCodeCardinality();
        options.InProgress.Gauge = new KnownMethods<IGauge>(Metrics.CreateGauge("http_requests_in_progress",
            "The number of requests currently in progress in the ASP.NET Core pipeline.", InProgressLabels));
        options.RequestCount.Counter = new KnownMethods<ICounter>(Metrics.CreateCounter("http_requests_received_total",
            "Provides the count of HTTP requests that have been processed by the ASP.NET Core pipeline.", RequestLabels));
        options.RequestDuration.Histogram = new KnownMethods<IHistogram>(Metrics.CreateHistogram("http_request_duration_seconds",
            "The duration of HTTP requests processed by an ASP.NET Core application.", RequestLabels,
            new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.001, 2, 16) })); // 1 ms to 32 s, as prometheus-net's default
    }

    public static string MethodLabel(string method) => Array.Find(StandardMethods, m => m == method) ?? OtherMethod;

    /// <summary>The collector prometheus-net writes to, with the method label value replaced by <see cref="MethodLabel"/>.</summary>
    private sealed class KnownMethods<TChild>(ICollector<TChild> inner) : ICollector<TChild> where TChild : ICollectorChild
    {
        private readonly int _method = Array.IndexOf(inner.LabelNames, HttpRequestLabelNames.Method);

        public string Name => inner.Name;
        public string Help => inner.Help;
        public string[] LabelNames => inner.LabelNames;
        public TChild Unlabelled => inner.Unlabelled;

        public TChild WithLabels(params string[] labelValues) => WithLabels(labelValues.AsSpan());

        public TChild WithLabels(ReadOnlyMemory<string> labelValues) => WithLabels(labelValues.Span);

        public TChild WithLabels(ReadOnlySpan<string> labelValues)
        {
            var values = labelValues.ToArray();
            values[_method] = MethodLabel(values[_method]);
            return inner.WithLabels(values);
        }
    }
}
