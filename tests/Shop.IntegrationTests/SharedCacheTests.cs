using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Shop.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Shop.IntegrationTests;

/// <summary>
/// Two API processes sharing PostgreSQL and Redis, each with its own in-memory cache in front of
/// Redis: a write answered by one is served by the other within a second (API.md, "Caching and
/// scale"), because the writer evicts what it made stale, once committed, on every process through
/// the Redis backplane.
/// </summary>
[Collection(ClusterCollection.Name), Trait("Category", "Postgres")]
public sealed class SharedCacheTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Propagation = TimeSpan.FromSeconds(1);

    [Fact]
    public Task A_catalog_change_through_one_api_is_served_by_the_other_within_a_second() =>
        CatalogChangePropagatesAsync(PostgresShop.RedisConnectionString);

    [Fact]
    public Task With_a_redis_cluster_a_catalog_change_is_served_by_the_other_api_within_a_second() =>
        CatalogChangePropagatesAsync(PostgresShop.RedisClusterConnectionString);

    private async Task CatalogChangePropagatesAsync(string redis)
    {
        await using var cluster = await StartAsync(redis);
        var (one, other) = (cluster.Client(), cluster.Client(cluster.MoreApiPorts[0]));
        var admin = await cluster.AdminAsync();
        var category = await admin.CreateCategoryAsync($"Cat {Guid.NewGuid():N}");
        var product = await admin.CreateProductAsync(onHand: 10, price: 10m, categoryId: category);
        var slug = (await Expect.Json(await one.GetAsync($"/api/v1/products/{product}"))).GetProperty("slug").GetString();
        var list = $"/api/v1/products?categoryId={category}";

        // The other API caches the product, by id, by slug, and on its category's list page.
        Assert.Equal(10m, await PriceAsync(other, $"/api/v1/products/{product}"));
        Assert.Equal(10m, await PriceAsync(other, $"/api/v1/products/{slug}"));
        Assert.Equal(10m, await ListedPriceAsync(other, list));

        // A new price through the first API.
        var body = CatalogApi.ProductBody(price: 12.5m, categoryId: category, slug: slug);
        await Expect.Status(await admin.Client.PutAsJsonAsync($"/api/v1/products/{product}", body), HttpStatusCode.OK);
        await WithinAsync("the new price by id", () => PriceAsync(other, $"/api/v1/products/{product}"), 12.5m);
        await WithinAsync("the new price by slug", () => PriceAsync(other, $"/api/v1/products/{slug}"), 12.5m);
        await WithinAsync("the new price on the list page", () => ListedPriceAsync(other, list), 12.5m);

        // Stock an order reserves through the first API.
        Assert.Equal(10, await AvailableAsync(other, $"/api/v1/products/{product}"));
        var customer = await cluster.NewUserAsync();
        await customer.PlaceOrderAsync((product, 3));
        await WithinAsync("the reserved stock on the product", () => AvailableAsync(other, $"/api/v1/products/{product}"), 7);

        // A new category in the tree.
        Assert.Single((await Expect.Json(await other.GetAsync("/api/v1/categories"))).EnumerateArray(), c => c.GetProperty("id").GetGuid() == category);
        var added = await admin.CreateCategoryAsync($"New {Guid.NewGuid():N}");
        await WithinAsync("the new category in the tree", async () =>
            (await Expect.Json(await other.GetAsync("/api/v1/categories"))).EnumerateArray().Any(c => c.GetProperty("id").GetGuid() == added), true);

        // Shipping methods and tax rates, which every cart read prices with, are cached and evicted the same way.
        var country = "NZ";
        var method = await admin.CreateShippingMethodAsync($"Post {Guid.NewGuid():N}"[..12], 5m, [country]);
        await WithinAsync("the new shipping method listed", () => MethodPriceAsync(other, country, method), 5m);
        await Expect.Status(await admin.Client.PutAsJsonAsync($"/api/v1/shipping-methods/{method}", new { name = "Post", price = 6.5m, countries = new[] { country } }), HttpStatusCode.OK);
        await WithinAsync("the shipping method's new price", () => MethodPriceAsync(other, country, method), 6.5m);
        await admin.SetTaxRateAsync(country, 0.15m, appliesToShipping: false);
        await WithinAsync("the new tax rate", () => TaxRateAsync(other, country), 0.15m);
        await admin.SetTaxRateAsync(country, 0.125m, appliesToShipping: false);
        await WithinAsync("the changed tax rate", () => TaxRateAsync(other, country), 0.125m);

        // A product deactivated disappears.
        await Expect.Status(await admin.Client.DeleteAsync($"/api/v1/products/{product}"), HttpStatusCode.NoContent);
        await WithinAsync("the deactivated product gone", async () => (await other.GetAsync($"/api/v1/products/{product}")).StatusCode, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_user_deactivated_through_one_api_is_refused_by_the_other_within_a_second()
    {
        await using var cluster = await StartAsync(PostgresShop.RedisConnectionString);
        var admin = await cluster.AdminAsync();
        var user = await cluster.NewUserAsync();
        var other = cluster.Client(cluster.MoreApiPorts[0]);
        other.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", user.AccessToken);
        await Expect.Status(await other.GetAsync("/api/v1/users/me"), HttpStatusCode.OK); // its status is now cached there

        await Expect.Status(await admin.Client.PatchAsJsonAsync($"/api/v1/users/{user.Id}", new { isActive = false }), HttpStatusCode.OK);
        await WithinAsync("the deactivated user's token refused", async () => (await other.GetAsync("/api/v1/users/me")).StatusCode, HttpStatusCode.Unauthorized);

        // And a role change: the admin policy sees it on the other process as soon.
        var promoted = await cluster.NewUserAsync();
        var promotedElsewhere = cluster.Client(cluster.MoreApiPorts[0]);
        promotedElsewhere.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", promoted.AccessToken);
        await Expect.Status(await promotedElsewhere.GetAsync("/api/v1/users"), HttpStatusCode.Forbidden);
        await Expect.Status(await admin.Client.PatchAsJsonAsync($"/api/v1/users/{promoted.Id}", new { role = "admin" }), HttpStatusCode.OK);
        await WithinAsync("the new role honoured", async () => (await promotedElsewhere.GetAsync("/api/v1/users")).StatusCode, HttpStatusCode.OK);
    }

    [Fact]
    public Task Redis_killed_under_load_costs_no_errors_and_no_orders_and_is_used_again_once_restarted() =>
        OutageUnderLoadAsync(redis => { redis.Kill(); return Task.CompletedTask; }, redis => redis.StartAgainAsync());

    /// <summary>
    /// A hung Redis (SIGSTOP: connections open, no answers) is worse than a dead one: nothing fails fast.
    /// No request may wait for it longer than the timeouts (100 ms soft and 1 s hard for the cache, 1 s
    /// for a count): a request waiting for it would take up to the 15 s it stays hung; the bound leaves room for a loaded machine.
    /// </summary>
    [Fact]
    public Task Redis_hung_under_load_costs_no_errors_no_orders_and_no_stalls_and_is_used_again_once_resumed() =>
        OutageUnderLoadAsync(redis => redis.PauseAsync(), redis => redis.ResumeAsync(), outage: TimeSpan.FromSeconds(15), slowest: TimeSpan.FromSeconds(10));

    private async Task OutageUnderLoadAsync(Func<RedisNode, Task> fail, Func<RedisNode, Task> recover, TimeSpan? outage = null, TimeSpan? slowest = null)
    {
        await using var redis = await RedisNode.StartAsync();
        await using var cluster = await StartAsync(redis.ConnectionString);
        var admin = await cluster.AdminAsync();
        var product = await admin.CreateProductAsync(onHand: 10_000, price: 5m);
        var customer = await cluster.NewUserAsync();
        var apis = new[] { cluster.Client(), cluster.Client(cluster.MoreApiPorts[0]) };
        var phase = "up";
        var placed = new Dictionary<string, int> { ["up"] = 0, ["down"] = 0, ["back"] = 0 };
        var answered = 0;
        var longest = TimeSpan.Zero;
        using var stop = new CancellationTokenSource();

        // Every client fails on a 5xx (FailOnServerErrorHandler): one is enough to fail the test.
        async Task LoopAsync(Func<int, Task> step)
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var took = Stopwatch.StartNew();
                await step(i);
                lock (placed)
                {
                    longest = took.Elapsed > longest ? took.Elapsed : longest;
                }

                Interlocked.Increment(ref answered);
            }
        }

        var load = Task.WhenAll(
            LoopAsync(async i => await Expect.Status(await apis[i % 2].GetAsync($"/api/v1/products/{product}"), HttpStatusCode.OK)),
            LoopAsync(async i => await Expect.Status(await apis[i % 2].GetAsync("/api/v1/products?sort=price"), HttpStatusCode.OK)),
            LoopAsync(async i => await Expect.Status(
                await apis[i % 2].PostAsJsonAsync("/api/v1/auth/login", new { email = customer.Email, password = customer.Password }), HttpStatusCode.OK)),
            LoopAsync(async _ =>
            {
                var during = phase;
                var took = Stopwatch.StartNew();
                await Expect.Status(await customer.PlaceAsync(OrderApi.Body((product, 1))), HttpStatusCode.Created);
                if (took.ElapsedMilliseconds > 1000)
                {
                    output.WriteLine($"an order took {took.ElapsedMilliseconds} ms while Redis was {during}");
                }

                lock (placed)
                {
                    placed[during]++;
                }
            }));

        await Task.Delay(TimeSpan.FromSeconds(3));
        await fail(redis);
        phase = "down";
        await Task.Delay(outage ?? TimeSpan.FromSeconds(5));
        await recover(redis);
        phase = "back";
        await Task.Delay(TimeSpan.FromSeconds(5));
        await stop.CancelAsync();
        await load;
        output.WriteLine($"{answered} requests answered, the slowest in {longest.TotalMilliseconds:F0} ms, orders placed: {string.Join(", ", placed.Select(p => $"{p.Key} {p.Value}"))}");
        Assert.All(placed, p => Assert.True(p.Value > 0, $"no order placed while Redis was {p.Key}"));
        if (slowest is { } bound)
        {
            Assert.True(longest < bound, $"a request took {longest.TotalMilliseconds:F0} ms: it waited for Redis");
        }

        // The cache writes to Redis again: a list page asked for the first time lands there.
        await Eventually.Until("a page read after the restart to be cached in Redis", async () =>
        {
            var search = Guid.NewGuid().ToString("N");
            await Expect.Status(await apis[0].GetAsync($"/api/v1/products?q={search}"), HttpStatusCode.OK);
            return await redis.KeysAsync(search);
        }, keys => keys.Count > 0, TimeSpan.FromSeconds(20));
    }

    /// <summary>One API process handling messages and a second one, both on the cluster's database and one Redis.</summary>
    internal static async Task<ShopCluster> StartAsync(string redis)
    {
        var cluster = await ShopCluster.StartAsync(workers: 0, new Dictionary<string, string>
        {
            ["ConnectionStrings__Redis"] = redis,
            ["Caching__KeyPrefix"] = $"cluster-{Guid.NewGuid():N}",
        }, apiHandlesMessages: true);
        try
        {
            await cluster.StartApiAsync();
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    private async Task WithinAsync<T>(string what, Func<Task<T>> read, T expected)
    {
        var elapsed = Stopwatch.StartNew();
        await Eventually.Until(what, read, value => EqualityComparer<T>.Default.Equals(value, expected), Propagation);
        output.WriteLine($"{what}: {elapsed.ElapsedMilliseconds} ms");
    }

    private static async Task<decimal?> MethodPriceAsync(HttpClient client, string country, Guid method) =>
        (await Expect.Json(await client.GetAsync($"/api/v1/shipping-methods?country={country}&pageSize=100"))).GetProperty("items").EnumerateArray()
            .Where(m => m.GetProperty("id").GetGuid() == method).Select(m => (decimal?)m.GetProperty("price").GetDecimal()).FirstOrDefault();

    private static async Task<decimal?> TaxRateAsync(HttpClient client, string country) =>
        (await Expect.Json(await client.GetAsync("/api/v1/tax-rates?pageSize=100"))).GetProperty("items").EnumerateArray()
            .Where(r => r.GetProperty("country").GetString() == country).Select(r => (decimal?)r.GetProperty("rate").GetDecimal()).FirstOrDefault();

    private static async Task<decimal> PriceAsync(HttpClient client, string path) =>
        (await Expect.Json(await client.GetAsync(path))).GetProperty("price").GetDecimal();

    private static async Task<int> AvailableAsync(HttpClient client, string path) =>
        (await Expect.Json(await client.GetAsync(path))).GetProperty("stock").GetProperty("available").GetInt32();

    private static async Task<decimal> ListedPriceAsync(HttpClient client, string path) =>
        (await Expect.Json(await client.GetAsync(path))).GetProperty("items").EnumerateArray().Single().GetProperty("price").GetDecimal();
}
