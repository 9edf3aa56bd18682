using System.Net;
using Shop.Core.Payments;
using Shop.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Shop.IntegrationTests;

/// <summary>
/// Every metric the Grafana dashboard and the alerting rules of deploy/observability look at is
/// exported by a real API process or a real worker process, once they have served a request and
/// handled a payment (histograms and labelled series exist only after their first observation).
/// </summary>
[Collection(ClusterCollection.Name), Trait("Category", "Postgres")]
public sealed class DashboardMetricsTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Every_metric_the_dashboard_and_the_alerts_use_is_exported_by_the_api_or_a_worker()
    {
        var expressions = MetricNames.InDashboard(ObservabilityFiles.Dashboard).Concat(MetricNames.InRules(ObservabilityFiles.Rules)).ToList();
        var used = expressions.SelectMany(e => e.Names).ToHashSet(StringComparer.Ordinal);
        output.WriteLine($"{expressions.Count} expressions use {used.Count} metrics: {string.Join(", ", used.Order(StringComparer.Ordinal))}");

        await using var cluster = await ShopCluster.StartAsync(workers: 1, environment: new Dictionary<string, string>
        {
            ["ConnectionStrings__Redis"] = PostgresShop.RedisConnectionString,
        });
        var admin = await cluster.AdminAsync();
        var product = await admin.CreateProductAsync(onHand: 10, price: 12m);
        await Expect.Status(await cluster.Client().GetAsync($"/api/v1/products/{product}"), HttpStatusCode.OK);
        var customer = await cluster.NewUserAsync();
        var order = (await customer.PlaceOrderAsync((product, 1))).GetProperty("id").GetGuid();
        var payment = (await Expect.Json(await customer.PayAsync(order, SandboxProvider.Visa), HttpStatusCode.Accepted)).GetProperty("id").GetGuid();
        await customer.SettledAsync(payment, until: "succeeded", timeout: TimeSpan.FromSeconds(60));

        // The worker's health gauge and Wolverine's durability gauges are sampled every few seconds.
        var api = cluster.Client();
        await Eventually.Until("every metric of the dashboard and the alerts to be exported", async () =>
        {
            string[] pages = [await api.GetStringAsync("/metrics"), await cluster.WorkerMetricsAsync(0) ?? ""];
            return MetricNames.NotExported(used, pages);
        }, m => m.Count == 0, TimeSpan.FromSeconds(60),
            m => string.Join("\n", m.Select(name => $"{name}, used by:\n  {string.Join("\n  ", expressions.Where(e => e.Names.Contains(name.Split(' ')[0])).Select(e => e.Where))}")));
    }
}
