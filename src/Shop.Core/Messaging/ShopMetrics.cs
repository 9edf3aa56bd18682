using System.Diagnostics.Metrics;
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

    public static readonly string[] PaymentOutcomes = ["succeeded", "failed", "refunded"];
    public static readonly string[] EmailKinds = ["order_confirmation", "shipping_notification", "low_stock"];

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
    }
}

/// <summary>
/// prometheus-net starts listening to .NET meters at the first collection, and a counter
/// incremented before that is lost. Collecting once at start-up, before requests and handlers
/// run, makes every count from the first order on show up; then every series starts at zero.
/// Register it first.
/// </summary>
public sealed class MetricsWarmUp : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await Prometheus.Metrics.DefaultRegistry.CollectAndExportAsTextAsync(Stream.Null, cancellationToken);
        ShopMetrics.StartAtZero();
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
