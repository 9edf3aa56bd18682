using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

// The set-up of bench/orders.sh, through the API as a shop would do it: the admin creates N products
// with plenty of stock, M customers register and log in. Writes one line per customer ("token <access
// token>") and per product ("product <id>") for bench/lib/orders.lua, which wrk then runs. Usage:
//   dotnet Shop.LoadGen.dll <baseUrl> <adminEmail> <adminPassword> <customers> <products> <outFile>
var baseUrl = new Uri(args[0]);
var (adminEmail, adminPassword) = (args[1], args[2]);
var customerCount = int.Parse(args[3]);
var productCount = int.Parse(args[4]);
var outFile = args[5];

using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 8 };
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

var lines = new List<string>();
var admin = NewClient(await LogInAsync(adminEmail, adminPassword));
for (var i = 0; i < productCount; i++)
{
    var created = await admin.PostAsJsonAsync("/api/v1/products", new
    {
        sku = $"LOAD-{Guid.NewGuid():N}"[..20], name = $"Load test product {i}", price = 5 + i % 50, currency = "USD",
    });
    created.EnsureSuccessStatusCode();
    var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    (await admin.PutAsJsonAsync($"/api/v1/products/{id}/inventory", new { onHand = 1_000_000 })).EnsureSuccessStatusCode();
    lines.Add($"product {id}");
}

// Registrations hash passwords (BCrypt): a few at a time.
await Parallel.ForEachAsync(Enumerable.Range(0, customerCount), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (_, cancellationToken) =>
{
    var email = $"load-{Guid.NewGuid():N}@example.com";
    (await NewClient().PostAsJsonAsync("/api/v1/auth/register", new { email, password = "load-test-password", fullName = "Load" }, cancellationToken)).EnsureSuccessStatusCode();
    var token = await LogInAsync(email, "load-test-password");
    lock (lines)
    {
        lines.Add($"token {token}");
    }
});

await File.WriteAllLinesAsync(outFile, lines);
Console.WriteLine($"{productCount} products, {customerCount} customers logged in");
