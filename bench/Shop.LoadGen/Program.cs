using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

// A closed-loop load generator for checkout: N clients, each its own customer, place orders of
// 1 to 3 random products (quantity 1) back to back for a fixed time. Prints orders per second
// and latency percentiles. Usage:
//   dotnet run --project bench/Shop.LoadGen -c Release -- <baseUrl> <adminEmail> <adminPassword> [clients=32] [products=100] [seconds=20]
var baseUrl = new Uri(args[0]);
var (adminEmail, adminPassword) = (args[1], args[2]);
var clients = args.Length > 3 ? int.Parse(args[3]) : 32;
var productCount = args.Length > 4 ? int.Parse(args[4]) : 100;
var seconds = args.Length > 5 ? int.Parse(args[5]) : 20;

using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = clients * 2, PooledConnectionLifetime = TimeSpan.FromMinutes(10) };
HttpClient NewClient(string? token = null)
{
    var client = new HttpClient(handler, disposeHandler: false) { BaseAddress = baseUrl };
    if (token is not null)
    {
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
    }

    return client;
}

async Task<string> LogInAsync(string email, string password)
{
    var response = await NewClient().PostAsJsonAsync("/api/v1/auth/login", new { email, password });
    response.EnsureSuccessStatusCode();
    return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString()!;
}

var admin = NewClient(await LogInAsync(adminEmail, adminPassword));
var products = new List<Guid>();
for (var i = 0; i < productCount; i++)
{
    var created = await admin.PostAsJsonAsync("/api/v1/products", new
    {
        sku = $"LOAD-{Guid.NewGuid():N}"[..20], name = $"Load test product {i}", price = 5 + i % 50, currency = "USD",
    });
    created.EnsureSuccessStatusCode();
    var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    (await admin.PutAsJsonAsync($"/api/v1/products/{id}/inventory", new { onHand = 1_000_000 })).EnsureSuccessStatusCode();
    products.Add(id);
}

var customers = new List<HttpClient>();
for (var i = 0; i < clients; i++)
{
    var email = $"load-{Guid.NewGuid():N}@example.com";
    (await NewClient().PostAsJsonAsync("/api/v1/auth/register", new { email, password = "load-test-password", fullName = "Load" })).EnsureSuccessStatusCode();
    customers.Add(NewClient(await LogInAsync(email, "load-test-password")));
}

var address = new { fullName = "Load Test", line1 = "1 Main St", city = "Springfield", postalCode = "12345", country = "US" };
var latencies = new List<double>[clients];
var failures = new Dictionary<HttpStatusCode, int>();
var clock = Stopwatch.StartNew();
var deadline = TimeSpan.FromSeconds(seconds);
await Task.WhenAll(customers.Select(async (customer, index) =>
{
    var random = new Random(index);
    var mine = latencies[index] = [];
    while (clock.Elapsed < deadline)
    {
        var lines = Enumerable.Range(0, random.Next(1, 4)).Select(_ => products[random.Next(products.Count)]).Distinct()
            .Select(p => new { productId = p, quantity = 1 }).ToArray();
        var started = clock.Elapsed;
        var response = await customer.PostAsJsonAsync("/api/v1/orders", new { items = lines, shippingAddress = address });
        if (response.StatusCode == HttpStatusCode.Created)
        {
            mine.Add((clock.Elapsed - started).TotalMilliseconds);
        }
        else
        {
            lock (failures)
            {
                failures[response.StatusCode] = failures.GetValueOrDefault(response.StatusCode) + 1;
            }
        }
    }
}));
var elapsed = clock.Elapsed.TotalSeconds;

var all = latencies.SelectMany(l => l).Order().ToList();
double Percentile(double p) => all.Count == 0 ? 0 : all[Math.Min(all.Count - 1, (int)Math.Ceiling(p * all.Count) - 1)];
Console.WriteLine($"orders placed: {all.Count} in {elapsed:F1} s = {all.Count / elapsed:F1} orders/s with {clients} clients over {productCount} products");
Console.WriteLine($"latency ms: p50 {Percentile(0.50):F1}, p90 {Percentile(0.90):F1}, p99 {Percentile(0.99):F1}, max {all.LastOrDefault():F1}");
Console.WriteLine(failures.Count == 0 ? "failures: none" : "failures: " + string.Join(", ", failures.Select(f => $"{(int)f.Key} x{f.Value}")));
return failures.Keys.Any(k => (int)k >= 500) ? 1 : 0;
