using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.RegularExpressions;
using Shop.IntegrationTests.Infrastructure;

namespace Shop.IntegrationTests;

/// <summary>What every deployment relies on: errors, health, metrics, docs, headers, CORS, start-up checks.</summary>
public abstract class PlatformTests(ShopFactory shop)
{
    [Fact]
    public async Task Health_live_and_ready_answer_with_a_database_check()
    {
        var client = shop.Client();
        await Expect.Status(await client.GetAsync("/health/live"), HttpStatusCode.OK);
        var ready = await Expect.Json(await client.GetAsync("/health/ready"));
        Assert.Equal("Healthy", ready.GetProperty("status").GetString());
        Assert.Equal("Healthy", ready.GetProperty("checks").GetProperty("database").GetProperty("status").GetString());
        // On PostgreSQL the host runs with RabbitMQ and Redis, and readiness includes both.
        Assert.Equal(shop.Provider == "Postgres", ready.GetProperty("checks").TryGetProperty("rabbitmq", out var rabbit));
        Assert.Equal(shop.Provider == "Postgres", ready.GetProperty("checks").TryGetProperty("redis", out var redis));
        if (shop.Provider == "Postgres")
        {
            Assert.Equal("Healthy", rabbit.GetProperty("status").GetString());
            Assert.Equal("Healthy", redis.GetProperty("status").GetString());
        }
    }

    [Fact]
    public async Task Metrics_are_prometheus_text_with_request_durations()
    {
        var client = shop.Client();
        await client.GetAsync("/health/live");
        var response = await client.GetAsync("/metrics");
        await Expect.Status(response, HttpStatusCode.OK);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.ToString(), StringComparison.Ordinal);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Contains("# TYPE http_request_duration_seconds histogram", text, StringComparison.Ordinal);
        // The shop's series exist from start-up, before anything has been counted.
        foreach (var outcome in Core.Messaging.ShopMetrics.PaymentOutcomes)
        {
            Assert.Contains($"shop_payments_total{{outcome=\"{outcome}\"}} ", text, StringComparison.Ordinal);
        }

        foreach (var kind in Core.Messaging.ShopMetrics.EmailKinds)
        {
            Assert.Contains($"shop_emails_sent_total{{kind=\"{kind}\"}} ", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Health_and_metrics_answer_GET_and_HEAD_only()
    {
        var client = shop.Client();
        foreach (var path in new[] { "/health/live", "/health/ready", "/metrics" })
        {
            await Expect.Status(await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, path)), HttpStatusCode.OK);
            foreach (var method in new[] { HttpMethod.Post, HttpMethod.Delete, new HttpMethod("PROPFIND") })
            {
                await Expect.Problem(await client.SendAsync(new HttpRequestMessage(method, path)), HttpStatusCode.MethodNotAllowed);
            }
        }
    }

    [Fact]
    public async Task Made_up_methods_and_paths_add_no_metric_series()
    {
        var client = shop.Client();
        var marker = $"Q{Guid.NewGuid():N}"[..12].ToUpperInvariant();
        for (var i = 0; i < 30; i++)
        {
            await client.SendAsync(new HttpRequestMessage(new HttpMethod($"{marker}{i}"), "/health/live"));
            await client.SendAsync(new HttpRequestMessage(new HttpMethod($"{marker}{i}"), $"/api/v1/products/{marker}{i}"));
            await client.GetAsync($"/nowhere/{marker}{i}");
        }

        var text = await (await client.GetAsync("/metrics")).Content.ReadAsStringAsync();
        Assert.DoesNotContain(marker, text, StringComparison.OrdinalIgnoreCase);
        var http = text.Split('\n').Where(l => l.StartsWith("http_", StringComparison.Ordinal)).ToList();
        var methods = http.Select(l => Regex.Match(l, "method=\"([^\"]*)\"")).Where(m => m.Success).Select(m => m.Groups[1].Value).ToHashSet();
        Assert.Contains("OTHER", methods);
        Assert.Subset(new HashSet<string> { "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT", "OTHER" }, methods);
        // Requests that matched no route share one endpoint label, "".
        var endpoints = http.Select(l => Regex.Match(l, "endpoint=\"([^\"]*)\"")).Where(m => m.Success).Select(m => m.Groups[1].Value).ToHashSet();
        Assert.Contains("", endpoints);
        Assert.All(endpoints.Where(e => e.Length > 0), e => Assert.StartsWith("/", e, StringComparison.Ordinal));
    }

    [Fact]
    public async Task With_Metrics_Port_set_metrics_leave_the_public_port_for_a_management_port()
    {
        var metricsPort = Loopback.FreePort();
        await using var database = await shop.CreateScratchDatabaseAsync();
        await using var api = await RunningApi.StartAsync(new Dictionary<string, string>(database.Settings)
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Jwt__SigningKey"] = ShopFactory.SigningKey,
            ["Metrics__Port"] = metricsPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        using var client = api.Client();
        await Expect.Status(await client.GetAsync("/health/live"), HttpStatusCode.OK);
        await Expect.Problem(await client.GetAsync("/metrics"), HttpStatusCode.NotFound);

        using var scraper = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{metricsPort}") };
        var text = await scraper.GetStringAsync("/metrics");
        Assert.Contains("# TYPE http_request_duration_seconds histogram", text, StringComparison.Ordinal);
        Assert.Contains("endpoint=\"/health/live\"", text, StringComparison.Ordinal);
        Assert.Contains("shop_orders_placed_total", text, StringComparison.Ordinal);

        // Each request counted once, by status class, method and route (this process serves this test only).
        for (var i = 0; i < 3; i++)
        {
            await Expect.Problem(await client.GetAsync($"/api/v1/products/{Guid.NewGuid()}"), HttpStatusCode.NotFound);
        }

        text = await scraper.GetStringAsync("/metrics");
        const string Product = "method=\"GET\",endpoint=\"/api/v1/products/{id}\"";
        Assert.Equal(3, MetricValue(text, $"http_requests_received_total{{code=\"4xx\",{Product}}}"));
        Assert.Equal(3, MetricValue(text, $"http_request_duration_seconds_count{{code=\"4xx\",{Product}}}"));
        Assert.Null(MetricValue(text, $"http_requests_received_total{{code=\"2xx\",{Product}}}"));
        Assert.Equal(0, MetricValue(text, $"http_requests_in_progress{{{Product}}}"));
        Assert.Equal(1, MetricValue(text, "http_requests_received_total{code=\"2xx\",method=\"GET\",endpoint=\"/health/live\"}"));
    }

    private static double? MetricValue(string text, string series) =>
        text.Split('\n').Where(l => l.StartsWith(series + " ", StringComparison.Ordinal))
            .Select(l => (double?)double.Parse(l[(series.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture)).SingleOrDefault();

    [Fact]
    public async Task Metrics_count_orders_placed_from_the_first_one()
    {
        var admin = await shop.AdminAsync();
        var customer = await shop.NewUserAsync();
        var product = await admin.CreateProductAsync(onHand: 5);
        await customer.PlaceOrderAsync((product, 1));

        var text = await (await shop.Client().GetAsync("/metrics")).Content.ReadAsStringAsync();
        var line = text.Split('\n').FirstOrDefault(l => l.StartsWith("shop_orders_placed_total", StringComparison.Ordinal));
        Assert.NotNull(line);
        Assert.True(double.Parse(line.Split(' ')[^1], System.Globalization.CultureInfo.InvariantCulture) >= 1, line);
    }

    [Fact]
    public async Task The_openapi_document_describes_the_api_and_docs_are_served_from_this_server()
    {
        var client = shop.Client();
        var document = await Expect.Json(await client.GetAsync("/openapi/v1.json"));
        Assert.True(document.GetProperty("paths").TryGetProperty("/api/v1/auth/register", out _));
        Assert.True(document.GetProperty("paths").TryGetProperty("/api/v1/users/me/addresses/{id}", out _));
        Assert.True(document.GetProperty("components").GetProperty("securitySchemes").TryGetProperty("Bearer", out _));

        var docs = await client.GetAsync("/docs/");
        await Expect.Status(docs, HttpStatusCode.OK);
        var html = await docs.Content.ReadAsStringAsync();
        Assert.Contains("<script src=\"scalar.js\"></script>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("cdn.", html, StringComparison.OrdinalIgnoreCase);
        await Expect.Status(await client.GetAsync("/docs/scalar.js"), HttpStatusCode.OK);
    }

    [Fact]
    public async Task Unknown_routes_and_wrong_methods_are_problems_with_a_trace_id()
    {
        var client = shop.Client();
        var notFound = await Expect.Problem(await client.GetAsync("/api/v1/no-such-thing"), HttpStatusCode.NotFound);
        Assert.Matches("^[0-9a-f]{32}$", notFound.GetProperty("traceId").GetString());
        await Expect.Problem(await client.DeleteAsync("/api/v1/auth/login"), HttpStatusCode.MethodNotAllowed);
        await Expect.Problem(await client.PostAsync("/api/v1/auth/login", new StringContent("email=a", Encoding.UTF8, "application/x-www-form-urlencoded")), HttpStatusCode.UnsupportedMediaType);
    }

    [Theory]
    [InlineData("text/html")]
    [InlineData("application/xml;q=0.9, image/png")]
    public async Task Problems_are_application_problem_json_whatever_the_request_accepts(string accept)
    {
        var user = await shop.NewUserAsync();
        async Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string path, object? body = null)
        {
            using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
            request.Headers.TryAddWithoutValidation("Accept", accept);
            return await client.SendAsync(request);
        }

        await Expect.Problem(await SendAsync(shop.Client(), HttpMethod.Get, "/api/v1/users/me"), HttpStatusCode.Unauthorized);
        await Expect.Problem(await SendAsync(user.Client, HttpMethod.Get, "/api/v1/users"), HttpStatusCode.Forbidden);
        await Expect.Problem(await SendAsync(user.Client, HttpMethod.Get, $"/api/v1/orders/{Guid.NewGuid()}"), HttpStatusCode.NotFound);
        await Expect.Problem(await SendAsync(user.Client, HttpMethod.Get, "/api/v1/no-such-thing"), HttpStatusCode.NotFound);
        await Expect.ValidationError(await SendAsync(user.Client, HttpMethod.Post, "/api/v1/users/me/addresses", new { }), "fullName");
    }

    private static StringContent JsonIn(string charset, object body)
    {
        var content = new StringContent(System.Text.Json.JsonSerializer.Serialize(body, System.Text.Json.JsonSerializerOptions.Web), Encoding.UTF8);
        content.Headers.Remove("Content-Type");
        content.Headers.TryAddWithoutValidation("Content-Type", $"application/json; charset={charset}");
        return content;
    }

    [Theory]
    [InlineData("bogus")]
    [InlineData("utf-7")]
    [InlineData("\"x-unknown\"")]
    [InlineData("utf-16")]
    public async Task A_json_body_in_a_charset_other_than_utf8_is_a_415_problem_and_changes_nothing(string charset)
    {
        var email = $"charset-{Guid.NewGuid():N}@example.com";
        var register = new { email, password = "long-enough-1", fullName = "Charset" };
        await Expect.Problem(await shop.Client().PostAsync("/api/v1/auth/register", JsonIn(charset, register)), HttpStatusCode.UnsupportedMediaType);
        await Expect.Problem(await shop.Client().PostAsync("/api/v1/auth/login", JsonIn(charset, new { email, password = "long-enough-1" })), HttpStatusCode.UnsupportedMediaType);

        var user = await shop.NewUserAsync();
        await Expect.Problem(await user.Client.PostAsync("/api/v1/users/me/addresses", JsonIn(charset, OrderApi.Address)), HttpStatusCode.UnsupportedMediaType);
        Assert.Equal(0, (await Expect.Json(await user.Client.GetAsync("/api/v1/users/me/addresses"))).GetProperty("totalCount").GetInt32());

        // Nothing was registered, and UTF-8 is read however the charset is spelt.
        await Expect.Status(await shop.Client().PostAsync("/api/v1/auth/register", JsonIn("\"UTF-8\"", register)), HttpStatusCode.Created);
        await Expect.Status(await shop.Client().PostAsync("/api/v1/auth/login", JsonIn("utf-8", new { email, password = "long-enough-1" })), HttpStatusCode.OK);
    }

    [Fact]
    public async Task The_trace_id_follows_an_incoming_traceparent()
    {
        var client = shop.Client();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/nowhere");
        request.Headers.Add("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
        var problem = await Expect.Problem(await client.SendAsync(request), HttpStatusCode.NotFound);
        Assert.Equal("0af7651916cd43dd8448eb211c80319c", problem.GetProperty("traceId").GetString());
    }

    [Fact]
    public async Task Every_response_carries_security_headers()
    {
        var response = await shop.Client().GetAsync("/health/live");
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
        Assert.Contains("frame-ancestors 'none'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cors_allows_configured_origins_only()
    {
        var client = shop.Client();
        using var allowed = new HttpRequestMessage(HttpMethod.Options, "/api/v1/auth/login");
        allowed.Headers.Add("Origin", "https://storefront.test");
        allowed.Headers.Add("Access-Control-Request-Method", "POST");
        allowed.Headers.Add("Access-Control-Request-Headers", "content-type,authorization");
        var preflight = await client.SendAsync(allowed);
        Assert.Equal("https://storefront.test", preflight.Headers.GetValues("Access-Control-Allow-Origin").Single());

        using var denied = new HttpRequestMessage(HttpMethod.Options, "/api/v1/auth/login");
        denied.Headers.Add("Origin", "https://evil.test");
        denied.Headers.Add("Access-Control-Request-Method", "POST");
        var refused = await client.SendAsync(denied);
        Assert.False(refused.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("too-short")]
    public async Task Outside_development_a_missing_or_short_signing_key_stops_start_up_with_a_clear_message(string key)
    {
        var (exitCode, output) = await ApiProcess.RunExpectingExitAsync(Environment(key), TimeSpan.FromSeconds(60));
        Assert.NotEqual(0, exitCode);
        Assert.Contains("Jwt:SigningKey", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("every minute")]
    [InlineData("61 * * * *")]
    public async Task A_job_schedule_that_is_not_a_cron_expression_stops_start_up_with_a_clear_message(string cron)
    {
        var environment = Environment(ShopFactory.SigningKey);
        environment["Jobs__CancelUnpaidOrders"] = cron;
        var (exitCode, output) = await ApiProcess.RunExpectingExitAsync(environment, TimeSpan.FromSeconds(60));
        Assert.NotEqual(0, exitCode);
        Assert.Contains($"Jobs:CancelUnpaidOrders must be a cron expression in UTC (five fields, or six with seconds first), not '{cron}'", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_database_with_a_newer_schema_than_the_code_is_refused()
    {
        const string future = "99991231235959_FromTheFuture";
        await ExecuteAsync($"INSERT INTO \"__EFMigrationsHistory\" (migration_id, product_version) VALUES ('{future}', '99.0.0')");
        try
        {
            var (exitCode, output) = await ApiProcess.RunExpectingExitAsync(Environment(ShopFactory.SigningKey), TimeSpan.FromSeconds(60));
            Assert.NotEqual(0, exitCode);
            Assert.Contains("newer than this build", output, StringComparison.Ordinal);
            Assert.Contains(future, output, StringComparison.Ordinal);
        }
        finally
        {
            await ExecuteAsync($"DELETE FROM \"__EFMigrationsHistory\" WHERE migration_id = '{future}'");
        }

        await Expect.Status(await shop.Client().GetAsync("/health/ready"), HttpStatusCode.OK);
    }

    private Dictionary<string, string> Environment(string signingKey) => new()
    {
        ["ASPNETCORE_ENVIRONMENT"] = "Production",
        ["Database__Provider"] = shop.Provider,
        ["ConnectionStrings__Database"] = shop.ConnectionString,
        ["Jwt__SigningKey"] = signingKey,
    };

    private Task ExecuteAsync(string sql) => shop.ExecuteSqlAsync(sql);
}

[Collection(SqliteCollection.Name)]
public sealed class PlatformTestsOnSqlite(SqliteShop shop) : PlatformTests(shop);

[Collection(PostgresCollection.Name), Trait("Category", "Postgres")]
public sealed class PlatformTestsOnPostgres(PostgresShop shop) : PlatformTests(shop);
