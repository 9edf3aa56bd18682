using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

// End-to-end payment latency: for each of N orders, the time from POST /payments (tok_visa) to
// the order reading "paid", polled every 10 ms, with a few payments in flight at once. Usage:
//   dotnet bench/Shop.PayBench/bin/Release/net10.0/Shop.PayBench.dll <baseUrl> <adminEmail> <adminPassword> [payments=200] [concurrency=4]
var baseUrl = new Uri(args[0]);
var payments = args.Length > 3 ? int.Parse(args[3]) : 200;
var concurrency = args.Length > 4 ? int.Parse(args[4]) : 4;

using var http = new HttpClient { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(30) };
async Task<string> TokenAsync(string email, string password)
{
    var login = await http.PostAsJsonAsync("/api/v1/auth/login", new { email, password });
    login.EnsureSuccessStatusCode();
    return (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString()!;
}

HttpRequestMessage As(string token, HttpMethod method, string path, object? body = null)
{
    var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
    return request;
}

var admin = await TokenAsync(args[1], args[2]);
var created = await http.SendAsync(As(admin, HttpMethod.Post, "/api/v1/products", new { sku = $"PAY-{Guid.NewGuid():N}"[..20], name = "Payment bench", price = 9.99m, currency = "USD" }));
created.EnsureSuccessStatusCode();
var product = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
(await http.SendAsync(As(admin, HttpMethod.Put, $"/api/v1/products/{product}/inventory", new { onHand = 1_000_000 }))).EnsureSuccessStatusCode();
var email = $"paybench-{Guid.NewGuid():N}@example.com";
(await http.PostAsJsonAsync("/api/v1/auth/register", new { email, password = "paybench-pass", fullName = "Bench" })).EnsureSuccessStatusCode();
var customer = await TokenAsync(email, "paybench-pass");
var address = new { fullName = "Bench", line1 = "1 Main St", city = "Springfield", postalCode = "12345", country = "US" };

using var gate = new SemaphoreSlim(concurrency);

// For each of `count` payments, in the order they were started: the time to the order reading paid, and to the 202.
async Task<(double[] Paid, double[] Accepted)> PayAsync(int count)
{
    var latencies = new double[count];
    var accepts = new double[count];
    await Task.WhenAll(Enumerable.Range(0, count).Select(async n =>
    {
        await gate.WaitAsync();
        try
        {
            var order = await http.SendAsync(As(customer, HttpMethod.Post, "/api/v1/orders", new { items = new[] { new { productId = product, quantity = 1 } }, shippingAddress = address }));
            order.EnsureSuccessStatusCode();
            var orderId = (await order.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
            var pay = As(customer, HttpMethod.Post, "/api/v1/payments", new { orderId, paymentToken = "tok_visa" });
            pay.Headers.Add("Idempotency-Key", orderId.ToString("N"));
            var clock = Stopwatch.StartNew();
            var accepted = await http.SendAsync(pay);
            accepts[n] = clock.Elapsed.TotalMilliseconds;
            if (accepted.StatusCode != HttpStatusCode.Accepted)
            {
                throw new InvalidOperationException($"POST /payments answered {(int)accepted.StatusCode}");
            }

            while (clock.Elapsed < TimeSpan.FromSeconds(60))
            {
                var read = await http.SendAsync(As(customer, HttpMethod.Get, $"/api/v1/orders/{orderId}"));
                if ((await read.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString() == "paid")
                {
                    latencies[n] = clock.Elapsed.TotalMilliseconds;

                    return;
                }

                await Task.Delay(10);
            }

            throw new TimeoutException($"Order {orderId} was not paid within 60 s.");
        }
        finally
        {
            gate.Release();
        }
    }));
    return (latencies, accepts);
}

// The first payments after start-up pay for JIT, connection pools and first broker round trips:
// reported apart, then the measured run.
var cold = await PayAsync(concurrency * 2);
Console.WriteLine($"first {cold.Paid.Length} payments after start-up (cold): {string.Join(", ", cold.Paid.Select(l => $"{l:F0}"))} ms (202 after {string.Join(", ", cold.Accepted.Select(l => $"{l:F0}"))} ms)");
var (latencies, _) = await PayAsync(payments);

var sorted = latencies.Order().ToList();
double Percentile(double p) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
Console.WriteLine($"POST /payments -> order paid, {sorted.Count} payments, {concurrency} at a time: median {Percentile(0.5):F0} ms, p99 {Percentile(0.99):F0} ms, max {sorted[^1]:F0} ms");
Console.WriteLine($"  p75 {Percentile(0.75):F0} ms, p90 {Percentile(0.9):F0} ms, p95 {Percentile(0.95):F0} ms; slowest: {string.Join(", ", latencies.Select((l, n) => (l, n)).OrderByDescending(x => x.l).Take(5).Select(x => $"#{x.n} {x.l:F0} ms"))}");
