using Shop.IntegrationTests.Infrastructure;

namespace Shop.IntegrationTests;

/// <summary>
/// The extractor DashboardMetricsTests relies on, on its own: what it takes for a metric name and
/// what not, and that a name no /metrics page exports is reported.
/// </summary>
public sealed class MetricNamesTests
{
    [Fact]
    public void Finds_metric_names_but_not_functions_keywords_labels_strings_durations_or_variables()
    {
        const string expr = """
            histogram_quantile(0.99, sum by (le, method, endpoint) (rate(http_request_duration_seconds_bucket{job="shop-api", endpoint!~"|/metrics|/health/.*"}[5m]))) > 1
            and on (instance) group_left (check) sum without (code) (rate(http_requests_received_total{code="5xx"}[$__rate_interval] offset 1h)) > bool 1e-9
            or label_replace(shop_health_status{check="redis"}, "dst", "$1 up{x}", "check", "(.*)") * $scale
            unless ignoring(outcome) max without (job)(min_over_time(wolverine_shop_wolverine_outbox_count[15m:1m])) / ${factor} + up @ start()
            """;

        Assert.Equal(
            ["http_request_duration_seconds_bucket", "http_requests_received_total", "shop_health_status", "up", "wolverine_shop_wolverine_outbox_count"],
            MetricNames.In(expr).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_bare_selector_and_a_selector_without_labels_are_names_too()
    {
        Assert.Equal(["shop_orders_placed_total"], MetricNames.In("shop_orders_placed_total"));
        Assert.Equal(["a:recorded:rate5m", "b"], MetricNames.In("a:recorded:rate5m - b").Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Grafana_variable_queries_select_the_metric_of_label_values_and_not_the_label()
    {
        Assert.Equal(["http_requests_received_total"], MetricNames.InVariableQuery("label_values(http_requests_received_total{job=~\"$job\"}, endpoint)"));
        Assert.Empty(MetricNames.InVariableQuery("label_values(job)"));
        Assert.Empty(MetricNames.InVariableQuery("label_names()"));
        Assert.Equal(["up"], MetricNames.InVariableQuery("query_result(count by (job) (up))"));
        Assert.Equal(["up"], MetricNames.InVariableQuery("query_result(count(up) by (job))"));
    }

    [Fact]
    public void A_name_no_page_exports_is_reported_and_a_histogram_must_be_named_by_its_series()
    {
        const string page = """
            # HELP shop_orders_placed_total Orders placed.
            # TYPE shop_orders_placed_total gauge
            shop_orders_placed_total 3
            # TYPE http_request_duration_seconds histogram
            http_request_duration_seconds_sum{code="2xx",method="GET",endpoint="/"} 0.5
            http_request_duration_seconds_count{code="2xx",method="GET",endpoint="/"} 2
            http_request_duration_seconds_bucket{code="2xx",method="GET",endpoint="/",le="+Inf"} 2
            # TYPE shop_payments_total gauge

            """;
        var used = MetricNames.In(
            "sum(rate(shop_orders_placed_total[5m])) + shop_made_up_total + histogram_quantile(0.5, rate(http_request_duration_seconds_bucket[5m]))" +
            " + http_request_duration_seconds + shop_orders_placed + shop_payments_total + up");

        Assert.Equal(
            ["http_request_duration_seconds (declared, but no sample yet)", "shop_made_up_total", "shop_orders_placed", "shop_payments_total (declared, but no sample yet)"],
            MetricNames.NotExported(used, [page]));
        Assert.Empty(MetricNames.NotExported(["shop_orders_placed_total", "http_request_duration_seconds_bucket", "up"], [page]));
    }

    [Fact]
    public void Every_expression_of_the_dashboard_and_the_rules_selects_a_metric()
    {
        // An expression the extractor finds no name in was misread (or selects nothing): either way
        // the metric-name test would pass over it.
        var expressions = MetricNames.InDashboard(ObservabilityFiles.Dashboard).Concat(MetricNames.InRules(ObservabilityFiles.Rules)).ToList();

        Assert.True(expressions.Count >= 50, $"only {expressions.Count} expressions found");
        Assert.All(expressions, e => Assert.True(e.Names.Count > 0, $"no metric name in {e.Where}"));
    }

    [Fact]
    public void A_rule_added_with_an_unknown_metric_is_seen()
    {
        var rules = ObservabilityFiles.Rules + """
                  - alert: Invented
                    expr: |
                      rate(shop_invented_total[5m])
                        > 0
                    for: 1m

            """;

        Assert.Contains(MetricNames.InRules(rules), e => e.Where.StartsWith("rule Invented", StringComparison.Ordinal) && e.Names.SetEquals(["shop_invented_total"]));
    }
}
