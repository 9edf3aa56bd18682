using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Shop.Core.Messaging;

/// <summary>
/// The shop's own counters, exported on /metrics (the API's, and each worker's metrics port) next
/// to Wolverine's meter, which counts handler executions, failures and dead letters per message type.
/// </summary>
public static class ShopMetrics
{
    public static readonly Meter Meter = new("Shop");
    // Exported as shop_orders_placed_total, shop_payments_total{outcome}, shop_emails_sent_total{kind}.
    public static readonly Counter<long> OrdersPlaced = Meter.CreateCounter<long>("orders_placed_total", description: "Orders placed.");
    public static readonly Counter<long> Payments = Meter.CreateCounter<long>("payments_total", description: "Payments finished, by outcome.");
    public static readonly Counter<long> EmailsSent = Meter.CreateCounter<long>("emails_sent_total", description: "Emails sent, by kind.");
    // shop_background_job_failures_total{message_type}, shop_dead_letters_total{message_type}: see WolverineFailureCounts.
    public static readonly Counter<long> BackgroundJobFailures = Meter.CreateCounter<long>("background_job_failures_total",
        description: "Background handler executions that failed, as Wolverine counts them, by message type.");
    public static readonly Counter<long> DeadLetters = Meter.CreateCounter<long>("dead_letters_total",
        description: "Messages given up on after their retries and moved to the dead letters, by message type.");

    // shop_catalog_cache_lookups_total{entry="product|product_page|product_facets", result="hit|miss"}: the hit ratio of ProductCache.
    public static readonly Counter<long> CatalogCacheLookups = Meter.CreateCounter<long>("catalog_cache_lookups_total",
        description: "Catalog cache lookups (memory or Redis), by entry kind and whether the database had to answer.");

    public static readonly string[] CatalogCacheEntries = ["product", "product_page", "product_facets"];

    // shop_catalog_reads_total{source="primary|replica"}: which database answered the public catalog's reads (ICatalogReads).
    public static readonly Counter<long> CatalogReads = Meter.CreateCounter<long>("catalog_reads_total",
        description: "Public catalog reads that reached a database, by the database that answered (primary or read replica).");

    public static readonly string[] PaymentOutcomes = ["succeeded", "failed", "refunded"];
    public static readonly string[] EmailKinds = ["order_confirmation", "shipping_notification", "low_stock"];

    /// <summary>
    /// The start-up half of metrics, for the API and the worker alike. Register it before anything
    /// that can count: prometheus-net only sees measurements made after its first collection.
    /// </summary>
    public static IServiceCollection AddShopMetrics(this IServiceCollection services) =>
        services.AddHostedService<MetricsWarmUp>().AddHostedService<WolverineFailureCounts>();

    /// <summary>Every series at zero, so that a dashboard's rate() has a series from the start.</summary>
    internal static void StartAtZero()
    {
        OrdersPlaced.Add(0);
        foreach (var outcome in PaymentOutcomes)
        {
            Payments.Add(0, new KeyValuePair<string, object?>("outcome", outcome));
        }

        foreach (var kind in EmailKinds)
        {
            EmailsSent.Add(0, new KeyValuePair<string, object?>("kind", kind));
        }

        foreach (var entry in CatalogCacheEntries)
        {
            foreach (var result in (string[])["hit", "miss"])
            {
                CatalogCacheLookups.Add(0, new("entry", entry), new("result", result));
            }
        }

        foreach (var source in (string[])["primary", "replica"])
        {
            CatalogReads.Add(0, new KeyValuePair<string, object?>("source", source));
        }

        BackgroundJobFailures.Add(0, new KeyValuePair<string, object?>("message_type", "none"));
        DeadLetters.Add(0, new KeyValuePair<string, object?>("message_type", "none"));
    }
}

/// <summary>
/// prometheus-net starts listening to .NET meters at the first collection, and a counter
/// incremented before that is lost. Collecting once at start-up, before requests and handlers
/// run, makes every count from the first order on show up; then every series starts at zero.
/// Register it first.
/// </summary>
/// <remarks>
/// prometheus-net also drops a .NET meter series nothing has recorded for <c>MetricsExpireAfter</c>
/// (5 minutes by default, at most 1 day): a counter still at zero vanished from /metrics after five
/// quiet minutes. The expiry is set to its maximum and every bounded series is touched (a zero
/// added) every hour, so the shop's series stay for the life of the process.
/// </remarks>
public sealed class MetricsWarmUp : BackgroundService
{
    private static readonly TimeSpan Touch = TimeSpan.FromHours(1);

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        Prometheus.Metrics.ConfigureMeterAdapter(o =>
        {
            o.MetricsExpireAfter = TimeSpan.FromDays(1);
            o.InstrumentFilterPredicate = Exported;
        });
        await Prometheus.Metrics.DefaultRegistry.CollectAndExportAsTextAsync(Stream.Null, cancellationToken);
        ShopMetrics.StartAtZero();
        await base.StartAsync(cancellationToken);
    }

    /// <summary>
    /// The shop's meter, Wolverine's and the runtime's (GC, JIT, thread pool: observed only when
    /// /metrics is scraped), and no other: ASP.NET Core, Kestrel, routing, rate limiting,
    /// authentication, HttpClient, Npgsql and EF Core each record several measurements per request,
    /// which prometheus-net would turn into series nobody asked for (the HTTP metrics come from
    /// prometheus-net's middleware), at a CPU cost per request above that of serving a cached product.
    /// </summary>
    private static bool Exported(System.Diagnostics.Metrics.Instrument instrument) =>
        instrument.Meter.Name == ShopMetrics.Meter.Name || instrument.Meter.Name == "System.Runtime"
        || instrument.Meter.Name.StartsWith("Wolverine", StringComparison.Ordinal);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Touch);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            ShopMetrics.StartAtZero();
        }
    }
}

/// <summary>
/// Wolverine counts failed handler attempts and dead letters on its own meter
/// ("wolverine-execution-failure", "wolverine-dead-letter-queue", tagged with the message type
/// and more). This mirrors them into the shop's two counters under the names the API contract
/// promises, keeping only the message type so the series stay few.
/// </summary>
public sealed class WolverineFailureCounts : IHostedService, IDisposable
{
    private const string MessageTypeTag = "message.type";
    private readonly MeterListener _listener = new();

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name.StartsWith("Wolverine", StringComparison.Ordinal) && Target(instrument) is not null)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Forward(instrument, value, tags));
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Forward(instrument, value, tags));
        _listener.Start();
        return Task.CompletedTask;
    }

    private static Counter<long>? Target(Instrument instrument) => instrument.Name switch
    {
        "wolverine-execution-failure" => ShopMetrics.BackgroundJobFailures,
        "wolverine-dead-letter-queue" => ShopMetrics.DeadLetters,
        _ => null,
    };

    private static void Forward(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        object? messageType = null;
        foreach (var tag in tags)
        {
            if (tag.Key == MessageTypeTag)
            {
                messageType = tag.Value;
            }
        }

        Target(instrument)?.Add(value, new KeyValuePair<string, object?>("message_type", messageType?.ToString() ?? "unknown"));
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _listener.Dispose();
        return Task.CompletedTask;
    }

    public void Dispose() => _listener.Dispose();
}
