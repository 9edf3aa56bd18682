using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Shop.Core.Payments;
using Shop.IntegrationTests.Infrastructure;
using Shop.IntegrationTests.Infrastructure.Otlp;
using Xunit.Abstractions;

namespace Shop.IntegrationTests;

/// <summary>
/// Traces and error reports from real API and worker processes to real receivers on loopback: an
/// OTLP collector that decodes the protobuf it is sent (over HTTP and over gRPC), and a Sentry
/// ingestion endpoint that reads the SDK's envelopes.
/// </summary>
[Collection(ClusterCollection.Name), Trait("Category", "Postgres")]
public sealed class ObservabilityTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_payment_is_one_trace_from_the_api_through_the_broker_and_a_worker_to_the_email()
    {
        await using var collector = await OtlpReceiver.StartAsync();
        await using var smtp = new TestSmtpServer();
        // The API exports over gRPC, the worker over HTTP with protobuf: both protocols, one trace.
        await using var cluster = await ShopCluster.StartAsync(workers: 1,
            environment: new Dictionary<string, string>
            {
                ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.GrpcEndpoint.ToString(),
                ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "grpc",
                ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
                ["ConnectionStrings__Redis"] = PostgresShop.RedisConnectionString,
                ["Smtp__Host"] = "127.0.0.1",
                ["Smtp__Port"] = smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Smtp__UseTls"] = "false",
            },
            workerEnvironment: new Dictionary<string, string>
            {
                ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.HttpEndpoint.ToString(),
                ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
                ["Logging__LogLevel__Shop.Core.Notifications"] = "Information",
            });
        var admin = await cluster.AdminAsync();
        var product = await admin.CreateProductAsync(onHand: 5);
        var customer = await cluster.NewUserAsync();
        var orderId = (await customer.PlaceOrderAsync((product, 1))).GetProperty("id").GetGuid();

        // The storefront's own trace: the payment continues it.
        var traceId = ActivityTraceId.CreateRandom().ToHexString();
        var callerSpanId = ActivitySpanId.CreateRandom().ToHexString();
        var paying = await customer.PayAsync(orderId, SandboxProvider.Visa, traceparent: $"00-{traceId}-{callerSpanId}-01");
        var paymentId = (await Expect.Json(paying, HttpStatusCode.Accepted)).GetProperty("id").GetGuid();
        Assert.Equal("succeeded", (await customer.SettledAsync(paymentId)).GetProperty("status").GetString());
        await smtp.WaitForAsync(m => m.To.ToString().Contains(customer.Email, StringComparison.OrdinalIgnoreCase));

        // Every hop, each from the process that did it: the request (a child of the caller's span),
        // the payment's handler and its database work and provider call, then the confirmation email.
        var spans = await Eventually.Until("the payment's trace to arrive whole", () => Task.FromResult(collector.Trace(traceId)), trace =>
                trace.Any(s => s is { Service: "shop-api", Kind: Span.Types.SpanKind.Server })
                && trace.Any(s => s.Service == "shop-worker" && s.Attributes.GetValueOrDefault("message.handler") == typeof(ProcessPaymentHandler).FullName)
                && trace.Any(s => s.Service == "shop-worker" && s.Scope == "Npgsql")
                && trace.Any(s => s is { Service: "shop-worker", Name: "payment.charge" })
                && trace.Any(s => s is { Service: "shop-worker", Name: "email.send" })
                && trace.Any(s => s.Service == "shop-worker" && s.Scope.StartsWith("MailKit", StringComparison.Ordinal))
                // A parent span ends, and is exported, after its children: wait for the email handler's too.
                && trace.Any(s => s.Service == "shop-worker" && s.Attributes.GetValueOrDefault("message.handler") == typeof(Shop.Core.Notifications.OrderConfirmationEmailHandler).FullName)
                && trace.Any(s => s is { Service: "shop-api", Scope: "Npgsql" })
                && trace.Any(s => s is { Service: "shop-worker", Scope: "Wolverine", Kind: Span.Types.SpanKind.Producer }),
            TimeSpan.FromSeconds(30), trace => $"{string.Join('\n', trace)}\nall: {collector.Spans.Count} spans\n{cluster.Logs()}");
        foreach (var span in spans)
        {
            output.WriteLine(span.ToString());
        }

        var request = Assert.Single(spans, s => s is { Service: "shop-api", Kind: Span.Types.SpanKind.Server });
        Assert.Equal(callerSpanId, request.ParentSpanId);
        Assert.Equal("POST", request.Attributes["http.request.method"]);
        Assert.Equal(["grpc", "http/protobuf"], collector.Protocols.Distinct().Order());
        Assert.All(spans, s =>
        {
            Assert.False(string.IsNullOrEmpty(s.Resource.GetValueOrDefault("service.version")));
            Assert.Equal("production", s.Resource.GetValueOrDefault("deployment.environment"));
        });

        // The worker's logs carry the trace too.
        Assert.Contains(File.ReadLines(Directory.GetFiles(cluster.LogDirectory, "worker-*.log").Single()),
            line => line.Contains("Sent email", StringComparison.Ordinal) && line.Contains($"\"TraceId\":\"{traceId}\"", StringComparison.Ordinal));

        // A problem answer names the caller's trace.
        var otherTrace = ActivityTraceId.CreateRandom().ToHexString();
        using var missing = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/products/{Guid.NewGuid()}");
        missing.Headers.Add("traceparent", $"00-{otherTrace}-{ActivitySpanId.CreateRandom().ToHexString()}-01");
        var problem = await Expect.Json(await customer.Client.SendAsync(missing), HttpStatusCode.NotFound);
        Assert.Equal(otherTrace, problem.GetProperty("traceId").GetString());
    }

    [Fact]
    public async Task Without_an_otlp_endpoint_nothing_is_exported_and_with_one_the_default_address_is_used()
    {
        // OTLP's default addresses (gRPC 4317, HTTP 4318 on localhost), held by this test.
        using var listeners = new DefaultOtlpPorts();

        await using (var quiet = await RunningApi.StartAsync(new Dictionary<string, string>
        {
            ["Jwt__SigningKey"] = ShopFactory.SigningKey,
            ["OTEL_SERVICE_NAME"] = "shop-quiet",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "100",
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
        }))
        {
            using var client = quiet.Client();
            for (var i = 0; i < 5; i++)
            {
                await Expect.Status(await client.GetAsync("/api/v1/products"), HttpStatusCode.OK);
            }

            await Task.Delay(TimeSpan.FromSeconds(2));
            Assert.Equal(0, listeners.Connections);
        }

        // The control: the same requests with an endpoint do reach it (so the listeners above can see an exporter).
        await using var exporting = await RunningApi.StartAsync(new Dictionary<string, string>
        {
            ["Jwt__SigningKey"] = ShopFactory.SigningKey,
            ["OTEL_BSP_SCHEDULE_DELAY"] = "100",
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://localhost:4318",
        });
        using (var client = exporting.Client())
        {
            await Expect.Status(await client.GetAsync("/api/v1/products"), HttpStatusCode.OK);
        }

        await Eventually.Until("the exporter to connect to the default OTLP port", () => Task.FromResult(listeners.Connections), n => n > 0, TimeSpan.FromSeconds(15));
    }

    [Fact]
    public async Task Sentry_hears_of_a_dead_letter_once_with_its_trace_and_of_a_500_with_the_user_id_but_never_of_a_4xx()
    {
        await using var sentry = await SentryReceiver.StartAsync();
        await using var smtp = new TestSmtpServer();
        await using var cluster = await ShopCluster.StartAsync(workers: 1, environment: new Dictionary<string, string>
        {
            ["Sentry__Dsn"] = sentry.Dsn,
            ["Smtp__Host"] = "127.0.0.1",
            ["Smtp__Port"] = smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Smtp__UseTls"] = "false",
        });
        var admin = await cluster.AdminAsync();
        var product = await admin.CreateProductAsync(onHand: 5);
        // The SMTP server refuses this mailbox every time: the confirmation email ends in the dead letters.
        var customer = await ShopFactory.RegisterAsync(cluster.Client(), $"{TestSmtpServer.RejectedPrefix}{Guid.NewGuid():N}@example.com");
        var orderId = (await customer.PlaceOrderAsync((product, 1))).GetProperty("id").GetGuid();
        var traceId = ActivityTraceId.CreateRandom().ToHexString();
        var paying = await customer.PayAsync(orderId, SandboxProvider.Visa, traceparent: $"00-{traceId}-{ActivitySpanId.CreateRandom().ToHexString()}-01");
        var paymentId = (await Expect.Json(paying, HttpStatusCode.Accepted)).GetProperty("id").GetGuid();
        Assert.Equal("succeeded", (await customer.SettledAsync(paymentId)).GetProperty("status").GetString());

        var deadLetter = (await Eventually.Until("Sentry to hear of the dead letter", () => Task.FromResult(sentry.Events.ToList()), events => events.Count > 0,
            TimeSpan.FromSeconds(60), events => $"{events.Count} events, items: {string.Join(',', sentry.ItemTypes)}\n{cluster.Logs()}")).Single();
        output.WriteLine(SentryReceiver.Describe(deadLetter));
        Assert.Equal("MailKit.Net.Smtp.SmtpCommandException", ExceptionType(deadLetter));
        Assert.Equal(traceId, deadLetter.GetProperty("contexts").GetProperty("trace").GetProperty("trace_id").GetString());
        Assert.Equal("production", deadLetter.GetProperty("environment").GetString());
        Assert.False(string.IsNullOrEmpty(deadLetter.GetProperty("release").GetString()));

        // The retries before it were not reported; a 404 and a 400 are not either.
        using (var client = cluster.Client())
        {
            await Expect.Status(await client.GetAsync($"/api/v1/products/{Guid.NewGuid()}"), HttpStatusCode.NotFound);
        }

        await Expect.Status(await customer.Client.PostAsJsonAsync("/api/v1/orders", new { items = Array.Empty<object>() }), HttpStatusCode.BadRequest);
        await Expect.Status(await customer.Client.GetAsync($"/api/v1/orders/{Guid.NewGuid()}"), HttpStatusCode.NotFound);

        // A 500: the users table is gone from under the API. Reported with the user's id, without their email or token.
        await ClusterSqlAsync(cluster, "ALTER TABLE users RENAME TO users_away");
        try
        {
            using var me = new HttpRequestMessage(HttpMethod.Get, "/api/v1/users/me");
            me.Headers.Authorization = new("Bearer", customer.AccessToken);
            using var raw = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{cluster.ApiPort}") };
            Assert.Equal(HttpStatusCode.InternalServerError, (await raw.SendAsync(me)).StatusCode);
        }
        finally
        {
            await ClusterSqlAsync(cluster, "ALTER TABLE users_away RENAME TO users");
        }

        var crash = await Eventually.Until("Sentry to hear of the 500", () => Task.FromResult(sentry.Events.Skip(1).FirstOrDefault()), e => e.ValueKind == JsonValueKind.Object,
            TimeSpan.FromSeconds(30), _ => cluster.Logs());
        var crashJson = SentryReceiver.Describe(crash);
        output.WriteLine(crashJson);
        Assert.Equal("Npgsql.PostgresException", ExceptionType(crash));
        Assert.Equal(customer.Id.ToString(), crash.GetProperty("user").GetProperty("id").GetString());
        Assert.DoesNotContain(customer.Email, crashJson, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(customer.AccessToken, crashJson, StringComparison.Ordinal);

        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Equal(2, sentry.Events.Count);
    }

    private static string? ExceptionType(JsonElement @event)
    {
        var values = @event.GetProperty("exception").GetProperty("values");
        // Sentry lists the chain innermost first; the outermost is last.
        var last = values[values.GetArrayLength() - 1];
        var module = last.TryGetProperty("module", out var m) ? m.GetString() : null;
        var type = last.GetProperty("type").GetString();
        return type is not null && type.Contains('.', StringComparison.Ordinal) ? type : $"{module?.Split(',')[0]}.{type}";
    }

    private static async Task ClusterSqlAsync(ShopCluster cluster, string sql)
    {
        await using var connection = new Npgsql.NpgsqlConnection(cluster.ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Listens on OTLP's default ports on both loopback addresses and counts who connects.</summary>
    private sealed class DefaultOtlpPorts : IDisposable
    {
        private readonly List<TcpListener> _listeners = [];
        private int _connections;

        public DefaultOtlpPorts()
        {
            foreach (var address in new[] { IPAddress.Loopback, IPAddress.IPv6Loopback })
            {
                foreach (var port in new[] { 4317, 4318 })
                {
                    var listener = new TcpListener(address, port);
                    listener.Start();
                    _listeners.Add(listener);
                    _ = AcceptAsync(listener);
                }
            }
        }

        public int Connections => Volatile.Read(ref _connections);

        private async Task AcceptAsync(TcpListener listener)
        {
            try
            {
                while (true)
                {
                    using var client = await listener.AcceptTcpClientAsync();
                    Interlocked.Increment(ref _connections);
                }
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
            }
        }

        public void Dispose()
        {
            foreach (var listener in _listeners)
            {
                listener.Stop();
            }
        }
    }
}
