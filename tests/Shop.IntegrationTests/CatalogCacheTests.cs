using System.Net;
using System.Net.Http.Json;
using Shop.IntegrationTests.Infrastructure;

namespace Shop.IntegrationTests;

/// <summary>
/// The server-side catalog cache never shows what a committed write changed: every write that
/// changes a product, its stock or a category evicts what it made stale before it is answered
/// (on this process; <see cref="SharedCacheTests"/> covers the others).
/// </summary>
public abstract class CatalogCacheTests(ShopFactory shop)
{
    [Fact]
    public async Task Every_write_is_seen_by_the_next_anonymous_read_of_detail_and_list()
    {
        var admin = await shop.AdminAsync();
        var category = await admin.CreateCategoryAsync($"Cached {Guid.NewGuid():N}");
        var product = await admin.CreateProductAsync(onHand: 10, price: 10m, categoryId: category);
        var anonymous = shop.Client();
        var detail = $"/api/v1/products/{product}";
        var list = $"/api/v1/products?categoryId={category}";
        Assert.Equal((10m, 10), await ReadAsync(anonymous, detail));
        Assert.Equal((10m, 10), await ReadListedAsync(anonymous, list));

        // An order reserves, an admin cancels it (release), restocks, and reprices.
        var customer = await shop.NewUserAsync();
        var order = (await customer.PlaceOrderAsync((product, 4))).GetProperty("id").GetGuid();
        Assert.Equal((10m, 6), await ReadAsync(anonymous, detail));
        Assert.Equal((10m, 6), await ReadListedAsync(anonymous, list));
        await admin.MoveAsync(order, "cancelled");
        Assert.Equal((10m, 10), await ReadAsync(anonymous, detail));
        Assert.Equal((10m, 10), await ReadListedAsync(anonymous, list));
        await Expect.Status(await admin.Client.PostAsJsonAsync($"{detail}/inventory/adjustments", new { delta = 5, reason = "delivery" }), HttpStatusCode.Created);
        Assert.Equal((10m, 15), await ReadAsync(anonymous, detail));
        await admin.SetStockAsync(product, 2);
        Assert.Equal((10m, 2), await ReadListedAsync(anonymous, list));
        await Expect.Status(await admin.Client.PutAsJsonAsync(detail, CatalogApi.ProductBody(price: 11m, categoryId: category)), HttpStatusCode.OK);
        Assert.Equal((11m, 2), await ReadAsync(anonymous, detail));
        Assert.Equal((11m, 2), await ReadListedAsync(anonymous, list));

        // Moved to another category, it leaves the first one's list and joins the other's.
        var other = await admin.CreateCategoryAsync($"Other {Guid.NewGuid():N}");
        Assert.Empty((await Expect.Json(await anonymous.GetAsync($"/api/v1/products?categoryId={other}"))).GetProperty("items").EnumerateArray());
        await Expect.Status(await admin.Client.PutAsJsonAsync(detail, CatalogApi.ProductBody(price: 11m, categoryId: other)), HttpStatusCode.OK);
        Assert.Empty((await Expect.Json(await anonymous.GetAsync(list))).GetProperty("items").EnumerateArray());
        Assert.Equal((11m, 2), await ReadListedAsync(anonymous, $"/api/v1/products?categoryId={other}"));

        // A category made a child of the other: the parent's filter now finds the product too.
        await Expect.Status(await admin.Client.PutAsJsonAsync($"/api/v1/categories/{other}", new { name = "Child", parentId = category }), HttpStatusCode.OK);
        Assert.Equal((11m, 2), await ReadListedAsync(anonymous, list));

        // Deactivated, it is gone at once.
        await Expect.Status(await admin.Client.DeleteAsync(detail), HttpStatusCode.NoContent);
        await Expect.Problem(await anonymous.GetAsync(detail), HttpStatusCode.NotFound);
        Assert.Empty((await Expect.Json(await anonymous.GetAsync(list))).GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task A_product_asked_for_before_it_exists_is_served_once_created()
    {
        var admin = await shop.AdminAsync();
        var anonymous = shop.Client();
        var slug = $"not-yet-{Guid.NewGuid():N}";
        await Expect.Problem(await anonymous.GetAsync($"/api/v1/products/{slug}"), HttpStatusCode.NotFound);

        var created = await admin.CreateProductAsync(CatalogApi.ProductBody(slug: slug));

        Assert.Equal(created.GetProperty("id").GetGuid(), (await Expect.Json(await anonymous.GetAsync($"/api/v1/products/{slug}"))).GetProperty("id").GetGuid());
    }

    [Fact]
    public async Task A_renamed_slug_stops_answering_and_the_new_one_answers()
    {
        var admin = await shop.AdminAsync();
        var anonymous = shop.Client();
        var (before, after) = ($"before-{Guid.NewGuid():N}", $"after-{Guid.NewGuid():N}");
        var id = (await admin.CreateProductAsync(CatalogApi.ProductBody(slug: before))).GetProperty("id").GetGuid();
        await Expect.Status(await anonymous.GetAsync($"/api/v1/products/{before}"), HttpStatusCode.OK);

        await Expect.Status(await admin.Client.PutAsJsonAsync($"/api/v1/products/{id}", CatalogApi.ProductBody(slug: after)), HttpStatusCode.OK);

        await Expect.Problem(await anonymous.GetAsync($"/api/v1/products/{before}"), HttpStatusCode.NotFound);
        await Expect.Status(await anonymous.GetAsync($"/api/v1/products/{after}"), HttpStatusCode.OK);
    }

    [Fact]
    public async Task Lookups_are_counted_as_hits_and_misses_on_metrics()
    {
        var admin = await shop.AdminAsync();
        var product = await admin.CreateProductAsync(onHand: 1);
        var anonymous = shop.Client();
        const string Hits = "shop_catalog_cache_lookups_total{entry=\"product\",result=\"hit\"}";
        const string Misses = "shop_catalog_cache_lookups_total{entry=\"product\",result=\"miss\"}";
        var before = await anonymous.GetStringAsync("/metrics");

        await Expect.Status(await anonymous.GetAsync($"/api/v1/products/{product}"), HttpStatusCode.OK);
        await Expect.Status(await anonymous.GetAsync($"/api/v1/products/{product}"), HttpStatusCode.OK);

        // Other tests of the run count in the same process too: at least this test's own lookups.
        var after = await anonymous.GetStringAsync("/metrics");
        Assert.True(Loopback.MetricValue(after, Misses) >= Loopback.MetricValue(before, Misses) + 1, "the first read was not counted as a miss");
        Assert.True(Loopback.MetricValue(after, Hits) >= Loopback.MetricValue(before, Hits) + 1, "the second read was not counted as a hit");
    }

    private static async Task<(decimal Price, int Available)> ReadAsync(HttpClient client, string path)
    {
        var product = await Expect.Json(await client.GetAsync(path));
        return (product.GetProperty("price").GetDecimal(), product.GetProperty("stock").GetProperty("available").GetInt32());
    }

    private static async Task<(decimal Price, int Available)> ReadListedAsync(HttpClient client, string path)
    {
        var product = (await Expect.Json(await client.GetAsync(path))).GetProperty("items").EnumerateArray().Single();
        return (product.GetProperty("price").GetDecimal(), product.GetProperty("stock").GetProperty("available").GetInt32());
    }
}

[Collection(SqliteCollection.Name)]
public sealed class CatalogCacheTestsOnSqlite(SqliteShop shop) : CatalogCacheTests(shop);

[Collection(PostgresCollection.Name), Trait("Category", "Postgres")]
public sealed class CatalogCacheTestsOnPostgres(PostgresShop shop) : CatalogCacheTests(shop)
{
    /// <summary>
    /// A refresh that outlives its request (the stale page answers after the factory's soft timeout,
    /// the query goes on) runs on a DbContext of its own: the request's goes back to the pool when it
    /// answers, and the next request to take it must not find a query still running on it (that was a
    /// 500 on unrelated routes whenever a catalog query was slow). A process of its own, so that its
    /// context pool holds only what this test put there.
    /// </summary>
    [Fact]
    public async Task A_refresh_outliving_its_request_leaves_the_request_database_context_free()
    {
        await using var database = await shop.CreateScratchDatabaseAsync();
        await using var api = await RunningApi.StartAsync(new Dictionary<string, string>(database.Settings)
        {
            ["Jwt__SigningKey"] = ShopFactory.SigningKey,
            ["Catalog__ListCacheDuration"] = "00:00:01",
        });
        using var client = api.Client();
        await Expect.Status(await client.GetAsync("/api/v1/products"), HttpStatusCode.OK);
        await Task.Delay(TimeSpan.FromSeconds(1.5)); // the page is now stale, kept for fail-safe

        await using var locker = new Npgsql.NpgsqlConnection(database.Settings["ConnectionStrings__Database"]);
        await locker.OpenAsync();
        await using var transaction = await locker.BeginTransactionAsync();
        await using (var lockProducts = new Npgsql.NpgsqlCommand("LOCK TABLE products IN ACCESS EXCLUSIVE MODE", locker, transaction))
        {
            await lockProducts.ExecuteNonQueryAsync();
        }

        // The stale page answers; its refresh waits on the lock.
        await Expect.Status(await client.GetAsync("/api/v1/products"), HttpStatusCode.OK);
        // Requests that need no product take the pooled context the page request gave back.
        await ShopFactory.RegisterAsync(client);
        await Expect.Status(await client.GetAsync("/api/v1/categories"), HttpStatusCode.OK);

        await transaction.RollbackAsync();
        await Expect.Status(await client.GetAsync("/api/v1/products"), HttpStatusCode.OK);
    }
}
