using System.Net;
using System.Net.Http.Json;
using Shop.IntegrationTests.Infrastructure;

namespace Shop.IntegrationTests;

/// <summary>What browsers and CDNs may keep: anonymous catalog reads, revalidated by ETag; nothing else.</summary>
public abstract class HttpCacheTests(ShopFactory shop)
{
    private const string Public = "public, max-age=30";

    [Fact]
    public async Task Anonymous_catalog_reads_are_public_with_an_etag_and_304_on_a_match()
    {
        var admin = await shop.AdminAsync();
        var category = await admin.CreateCategoryAsync($"Cache {Guid.NewGuid():N}");
        var product = await admin.CreateProductAsync(onHand: 3, categoryId: category);
        var anonymous = shop.Client();

        foreach (var path in new[] { "/api/v1/categories", $"/api/v1/categories/{category}", $"/api/v1/products?categoryId={category}", $"/api/v1/products/{product}" })
        {
            var first = await anonymous.GetAsync(path);
            await Expect.Status(first, HttpStatusCode.OK);
            Assert.Equal(Public, first.Headers.CacheControl?.ToString());
            Assert.Contains("Authorization", first.Headers.Vary);
            var etag = first.Headers.ETag?.Tag;
            Assert.False(string.IsNullOrEmpty(etag), $"{path}: no ETag");

            using var revalidate = new HttpRequestMessage(HttpMethod.Get, path);
            revalidate.Headers.TryAddWithoutValidation("If-None-Match", etag);
            var notModified = await anonymous.SendAsync(revalidate);
            Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
            Assert.Equal(etag, notModified.Headers.ETag?.Tag);
            Assert.Equal(Public, notModified.Headers.CacheControl?.ToString());
            Assert.Empty(await notModified.Content.ReadAsByteArrayAsync());

            using var stale = new HttpRequestMessage(HttpMethod.Get, path);
            stale.Headers.TryAddWithoutValidation("If-None-Match", "\"something-else\"");
            await Expect.Status(await anonymous.SendAsync(stale), HttpStatusCode.OK);
        }
    }

    [Fact]
    public async Task A_change_gives_the_list_and_the_detail_a_new_etag()
    {
        var admin = await shop.AdminAsync();
        var category = await admin.CreateCategoryAsync($"Cache {Guid.NewGuid():N}");
        var product = await admin.CreateProductAsync(onHand: 3, categoryId: category);
        var anonymous = shop.Client();
        var list = $"/api/v1/products?categoryId={category}";
        var listBefore = (await anonymous.GetAsync(list)).Headers.ETag?.Tag;
        var detailBefore = (await anonymous.GetAsync($"/api/v1/products/{product}")).Headers.ETag?.Tag;

        await admin.SetStockAsync(product, 7);

        var listAfter = await anonymous.GetAsync(list);
        Assert.NotEqual(listBefore, listAfter.Headers.ETag?.Tag);
        Assert.NotEqual(detailBefore, (await anonymous.GetAsync($"/api/v1/products/{product}")).Headers.ETag?.Tag);
        using var revalidate = new HttpRequestMessage(HttpMethod.Get, list);
        revalidate.Headers.TryAddWithoutValidation("If-None-Match", listBefore);
        await Expect.Status(await anonymous.SendAsync(revalidate), HttpStatusCode.OK);
    }

    [Fact]
    public async Task Answers_to_a_request_with_a_token_and_every_other_route_are_not_stored()
    {
        var admin = await shop.AdminAsync();
        var customer = await shop.NewUserAsync();
        var product = await admin.CreateProductAsync(onHand: 3);

        foreach (var response in new[]
                 {
                     await customer.Client.GetAsync("/api/v1/products"),
                     await customer.Client.GetAsync($"/api/v1/products/{product}"),
                     await admin.Client.GetAsync("/api/v1/categories"),
                     await customer.Client.GetAsync("/api/v1/users/me"),
                     await admin.Client.GetAsync($"/api/v1/products/{product}/inventory"),
                     await shop.Client().GetAsync($"/api/v1/products/{Guid.NewGuid()}"),
                     await shop.Client().PostAsJsonAsync("/api/v1/auth/login", new { email = customer.Email, password = customer.Password }),
                 })
        {
            Assert.True(response.Headers.CacheControl is { NoStore: true } or { Private: true },
                $"{response.RequestMessage!.Method} {response.RequestMessage.RequestUri} ({(int)response.StatusCode}): Cache-Control '{response.Headers.CacheControl}'");
            Assert.False(response.Headers.CacheControl!.Public);
        }
    }
}

[Collection(SqliteCollection.Name)]
public sealed class HttpCacheTestsOnSqlite(SqliteShop shop) : HttpCacheTests(shop);

[Collection(PostgresCollection.Name), Trait("Category", "Postgres")]
public sealed class HttpCacheTestsOnPostgres(PostgresShop shop) : HttpCacheTests(shop);
