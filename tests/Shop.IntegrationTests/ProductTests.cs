using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Shop.IntegrationTests.Infrastructure;

namespace Shop.IntegrationTests;

public abstract class ProductTests(ShopFactory shop)
{
    [Fact]
    public async Task Create_returns_the_product_with_location_etag_and_a_slug_from_the_name()
    {
        var admin = await shop.AdminAsync();
        var category = await admin.CreateCategoryAsync($"Mugs {Guid.NewGuid():N}");
        var sku = $"MUG-{Guid.NewGuid():N}"[..16];
        var response = await admin.Client.PostAsJsonAsync("/api/v1/products", CatalogApi.ProductBody(
            sku: sku, name: "Café Mug — Blue, 350 ml", price: 12.5m, categoryId: category, description: "Stoneware."));

        var product = await Expect.Json(response, HttpStatusCode.Created);
        var id = product.GetProperty("id").GetGuid();
        Assert.Equal($"/api/v1/products/{id}", response.Headers.Location?.ToString());
        Assert.NotNull(response.Headers.ETag);
        Assert.Equal(sku, product.GetProperty("sku").GetString());
        Assert.StartsWith("caf-mug-blue-350-ml", product.GetProperty("slug").GetString(), StringComparison.Ordinal);
        Assert.Equal(12.5m, product.GetProperty("price").GetDecimal());
        Assert.Equal("USD", product.GetProperty("currency").GetString());
        Assert.Equal(category, product.GetProperty("categoryId").GetGuid());
        Assert.Equal(0, product.GetProperty("stock").GetProperty("available").GetInt32());
        Assert.True(product.GetProperty("isActive").GetBoolean());
        Assert.Single(product.GetProperty("imageUrls").EnumerateArray());
        foreach (var field in new[] { "description", "createdAt", "updatedAt" })
        {
            Assert.True(product.TryGetProperty(field, out _), field);
        }
    }

    [Fact]
    public async Task Duplicate_sku_or_slug_is_409()
    {
        var admin = await shop.AdminAsync();
        var first = await admin.CreateProductAsync(CatalogApi.ProductBody(slug: $"slug-{Guid.NewGuid():N}"));
        await Expect.Problem(await admin.Client.PostAsJsonAsync("/api/v1/products", CatalogApi.ProductBody(sku: first.GetProperty("sku").GetString())), HttpStatusCode.Conflict);
        await Expect.Problem(await admin.Client.PostAsJsonAsync("/api/v1/products", CatalogApi.ProductBody(slug: first.GetProperty("slug").GetString())), HttpStatusCode.Conflict);

        // Two products with the same name get distinct derived slugs.
        var name = $"Twin {Guid.NewGuid():N}";
        var a = await admin.CreateProductAsync(CatalogApi.ProductBody(name: name));
        var b = await admin.CreateProductAsync(CatalogApi.ProductBody(name: name));
        Assert.NotEqual(a.GetProperty("slug").GetString(), b.GetProperty("slug").GetString());
    }

    [Fact]
    public async Task A_product_sent_without_a_currency_gets_the_shops_and_keeps_its_own_when_replaced()
    {
        var admin = await shop.AdminAsync();
        var sku = $"CUR-{Guid.NewGuid():N}"[..16];
        var created = await Expect.Json(await admin.Client.PostAsJsonAsync("/api/v1/products", new { sku, name = "No currency", price = 5m }), HttpStatusCode.Created);
        Assert.Equal("USD", created.GetProperty("currency").GetString());

        var euro = await admin.CreateProductAsync(CatalogApi.ProductBody(currency: "EUR"));
        var id = euro.GetProperty("id").GetGuid();
        var replaced = await Expect.Json(await admin.Client.PutAsJsonAsync($"/api/v1/products/{id}", new { sku = euro.GetProperty("sku").GetString(), name = "Renamed", price = 7m }));
        Assert.Equal("EUR", replaced.GetProperty("currency").GetString());
    }

    public static TheoryData<string, string> BadProducts => new()
    {
        { "{\"sku\":\"A-1\",\"name\":\"X\",\"price\":0,\"currency\":\"USD\"}", "price" },
        { "{\"sku\":\"A-1\",\"name\":\"X\",\"price\":-5,\"currency\":\"USD\"}", "price" },
        { "{\"sku\":\"A-1\",\"name\":\"X\",\"price\":1.999,\"currency\":\"USD\"}", "price" },
        { "{\"sku\":\"A-1\",\"name\":\"X\",\"price\":5,\"currency\":\"US\"}", "currency" },
        { "{\"sku\":\"A-1\",\"name\":\"X\",\"price\":5,\"currency\":\"XYZ\"}", "currency" },
        { "{\"sku\":\"bad sku!\",\"name\":\"X\",\"price\":5,\"currency\":\"USD\"}", "sku" },
        { "{\"sku\":\"A-1\",\"name\":\"\",\"price\":5,\"currency\":\"USD\"}", "name" },
        { "{\"sku\":\"A-1\",\"name\":\"X\",\"price\":5,\"currency\":\"USD\",\"slug\":\"Bad Slug\"}", "slug" },
        { "{\"sku\":\"A-1\",\"name\":\"X\",\"price\":5,\"currency\":\"USD\",\"imageUrls\":[\"ftp://host/a.jpg\"]}", "imageUrls[0]" },
        { "{\"sku\":\"A-1\",\"name\":\"X\",\"price\":5,\"currency\":\"USD\",\"imageUrls\":[\"/relative.jpg\"]}", "imageUrls[0]" },
        { "{\"sku\":\"A-1\",\"name\":\"X\",\"price\":5,\"currency\":\"USD\",\"imageUrls\":[\"javascript:alert(1)\"]}", "imageUrls[0]" },
        { "{\"sku\":\"A-1\",\"name\":\"X\",\"price\":5,\"currency\":\"USD\",\"categoryId\":\"00000000-0000-0000-0000-000000000001\"}", "categoryId" },
    };

    [Theory]
    [MemberData(nameof(BadProducts))]
    public async Task Bad_product_input_is_400_and_creates_nothing(string body, string field)
    {
        var admin = await shop.AdminAsync();
        var sku = $"BAD-{Guid.NewGuid():N}"[..16];
        var response = await admin.Client.PostAsync("/api/v1/products", new StringContent(body.Replace("A-1", sku, StringComparison.Ordinal), System.Text.Encoding.UTF8, "application/json"));
        await Expect.ValidationError(response, field);
        var search = await Expect.Json(await admin.Client.GetAsync($"/api/v1/products?q={sku}&includeInactive=true"));
        Assert.Equal(0, search.GetProperty("totalCount").GetInt32());
    }

    [Fact]
    public async Task A_price_given_as_a_string_is_400()
    {
        var admin = await shop.AdminAsync();
        var response = await admin.Client.PostAsync("/api/v1/products", new StringContent("{\"sku\":\"S-1\",\"name\":\"X\",\"price\":\"5\",\"currency\":\"USD\"}", System.Text.Encoding.UTF8, "application/json"));
        await Expect.Problem(response, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Detail_by_id_or_slug_sends_an_etag_that_answers_304_and_changes_with_stock()
    {
        var admin = await shop.AdminAsync();
        var created = await admin.CreateProductAsync(CatalogApi.ProductBody());
        var id = created.GetProperty("id").GetGuid();
        var slug = created.GetProperty("slug").GetString();
        var client = shop.Client();

        var byId = await client.GetAsync($"/api/v1/products/{id}");
        await Expect.Status(byId, HttpStatusCode.OK);
        var etag = byId.Headers.ETag!;
        await Expect.Status(await client.GetAsync($"/api/v1/products/{slug}"), HttpStatusCode.OK);

        using var conditional = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/products/{id}");
        conditional.Headers.IfNoneMatch.Add(etag);
        var notModified = await client.SendAsync(conditional);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Empty(await notModified.Content.ReadAsByteArrayAsync());

        await admin.SetStockAsync(id, 7);
        using var afterStock = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/products/{id}");
        afterStock.Headers.IfNoneMatch.Add(etag);
        var changed = await client.SendAsync(afterStock);
        var body = await Expect.Json(changed);
        Assert.Equal(7, body.GetProperty("stock").GetProperty("available").GetInt32());
        Assert.NotEqual(etag, changed.Headers.ETag);
    }

    [Fact]
    public async Task An_inactive_product_is_404_to_everyone_but_admins_and_absent_from_lists()
    {
        var admin = await shop.AdminAsync();
        var customer = await shop.NewUserAsync();
        var sku = $"HIDDEN-{Guid.NewGuid():N}"[..18];
        var product = await admin.CreateProductAsync(CatalogApi.ProductBody(sku: sku, isActive: false));
        var id = product.GetProperty("id").GetGuid();

        await Expect.Problem(await shop.Client().GetAsync($"/api/v1/products/{id}"), HttpStatusCode.NotFound);
        await Expect.Problem(await customer.Client.GetAsync($"/api/v1/products/{product.GetProperty("slug").GetString()}"), HttpStatusCode.NotFound);
        Assert.False((await Expect.Json(await admin.Client.GetAsync($"/api/v1/products/{id}"))).GetProperty("isActive").GetBoolean());

        Assert.Equal(0, (await Expect.Json(await customer.Client.GetAsync($"/api/v1/products?q={sku}&includeInactive=true"))).GetProperty("totalCount").GetInt32());
        Assert.Equal(0, (await Expect.Json(await admin.Client.GetAsync($"/api/v1/products?q={sku}"))).GetProperty("totalCount").GetInt32());
        Assert.Equal(1, (await Expect.Json(await admin.Client.GetAsync($"/api/v1/products?q={sku}&includeInactive=true"))).GetProperty("totalCount").GetInt32());
    }

    [Fact]
    public async Task Update_replaces_fields_keeps_the_slug_and_refuses_a_stale_if_match()
    {
        var admin = await shop.AdminAsync();
        var created = await admin.Client.PostAsJsonAsync("/api/v1/products", CatalogApi.ProductBody(name: $"Lamp {Guid.NewGuid():N}"));
        var product = await Expect.Json(created, HttpStatusCode.Created);
        var id = product.GetProperty("id").GetGuid();
        var sku = product.GetProperty("sku").GetString();
        var firstEtag = created.Headers.ETag!.Tag;

        using var first = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/products/{id}") { Content = JsonContent.Create(CatalogApi.ProductBody(sku: sku, name: "Desk Lamp", price: 30m)) };
        first.Headers.TryAddWithoutValidation("If-Match", firstEtag);
        var updated = await Expect.Json(await admin.Client.SendAsync(first));
        Assert.Equal("Desk Lamp", updated.GetProperty("name").GetString());
        Assert.Equal(30m, updated.GetProperty("price").GetDecimal());
        Assert.Equal(product.GetProperty("slug").GetString(), updated.GetProperty("slug").GetString());

        // A second admin still holding the first ETag must not overwrite that change.
        using var stale = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/products/{id}") { Content = JsonContent.Create(CatalogApi.ProductBody(sku: sku, name: "Floor Lamp", price: 99m)) };
        stale.Headers.TryAddWithoutValidation("If-Match", firstEtag);
        await Expect.Problem(await admin.Client.SendAsync(stale), HttpStatusCode.Conflict);
        var current = await Expect.Json(await admin.Client.GetAsync($"/api/v1/products/{id}"));
        Assert.Equal("Desk Lamp", current.GetProperty("name").GetString());

        await Expect.Problem(await admin.Client.PutAsJsonAsync($"/api/v1/products/{Guid.NewGuid()}", CatalogApi.ProductBody()), HttpStatusCode.NotFound);
        // A slug or other text where PUT and DELETE take an id is 404 too (not 405), for admins only.
        var slug = current.GetProperty("slug").GetString();
        await Expect.Problem(await admin.Client.PutAsJsonAsync($"/api/v1/products/{slug}", CatalogApi.ProductBody()), HttpStatusCode.NotFound);
        await Expect.Problem(await admin.Client.DeleteAsync($"/api/v1/categories/not-a-uuid"), HttpStatusCode.NotFound);
        await Expect.Problem(await shop.Client().DeleteAsync($"/api/v1/products/{slug}"), HttpStatusCode.Unauthorized);
        Assert.Equal("Desk Lamp", (await Expect.Json(await admin.Client.GetAsync($"/api/v1/products/{id}"))).GetProperty("name").GetString());
    }

    [Fact]
    public async Task Concurrent_updates_with_the_same_if_match_let_exactly_one_win()
    {
        var admin = await shop.AdminAsync();
        var created = await admin.Client.PostAsJsonAsync("/api/v1/products", CatalogApi.ProductBody());
        var product = await Expect.Json(created, HttpStatusCode.Created);
        var id = product.GetProperty("id").GetGuid();
        var etag = created.Headers.ETag!.Tag;

        var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(async i =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/products/{id}")
            {
                Content = JsonContent.Create(CatalogApi.ProductBody(sku: product.GetProperty("sku").GetString(), name: $"Edit {i}")),
            };
            request.Headers.TryAddWithoutValidation("If-Match", etag);
            return (await admin.Client.SendAsync(request)).StatusCode;
        }));

        Assert.Equal(1, results.Count(s => s == HttpStatusCode.OK));
        Assert.Equal(5, results.Count(s => s == HttpStatusCode.Conflict));
    }

    [Fact]
    public async Task Delete_removes_the_product()
    {
        var admin = await shop.AdminAsync();
        var id = await admin.CreateProductAsync();
        await Expect.Status(await admin.Client.DeleteAsync($"/api/v1/products/{id}"), HttpStatusCode.NoContent);
        await Expect.Problem(await admin.Client.GetAsync($"/api/v1/products/{id}"), HttpStatusCode.NotFound);
        await Expect.Problem(await admin.Client.DeleteAsync($"/api/v1/products/{id}"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Only_admins_write_products_and_inventory()
    {
        var admin = await shop.AdminAsync();
        var customer = await shop.NewUserAsync();
        var id = await admin.CreateProductAsync(onHand: 3);

        await Expect.Problem(await customer.Client.PostAsJsonAsync("/api/v1/products", CatalogApi.ProductBody()), HttpStatusCode.Forbidden);
        await Expect.Problem(await customer.Client.PutAsJsonAsync($"/api/v1/products/{id}", CatalogApi.ProductBody()), HttpStatusCode.Forbidden);
        await Expect.Problem(await customer.Client.DeleteAsync($"/api/v1/products/{id}"), HttpStatusCode.Forbidden);
        await Expect.Problem(await customer.Client.GetAsync($"/api/v1/products/{id}/inventory"), HttpStatusCode.Forbidden);
        await Expect.Problem(await customer.Client.PutAsJsonAsync($"/api/v1/products/{id}/inventory", new { onHand = 999 }), HttpStatusCode.Forbidden);
        await Expect.Problem(await customer.Client.PostAsJsonAsync($"/api/v1/products/{id}/inventory/adjustments", new { delta = 5, reason = "x" }), HttpStatusCode.Forbidden);
        await Expect.Problem(await shop.Client().PostAsJsonAsync("/api/v1/products", CatalogApi.ProductBody()), HttpStatusCode.Unauthorized);

        Assert.Equal(3, (await admin.InventoryAsync(id)).GetProperty("onHand").GetInt32());
    }

    [Theory]
    [InlineData("pageSize=101", "pageSize")]
    [InlineData("pageSize=0", "pageSize")]
    [InlineData("page=0", "page")]
    [InlineData("sort=popularity", "sort")]
    [InlineData("minPrice=-1", "minPrice")]
    [InlineData("minPrice=1.001", "minPrice")]
    [InlineData("minPrice=10&maxPrice=5", "maxPrice")]
    public async Task Bad_list_parameters_are_400(string query, string field)
    {
        await Expect.ValidationError(await shop.Client().GetAsync($"/api/v1/products?{query}"), field);
    }

    [Theory]
    [InlineData("categoryId=not-a-guid")]
    [InlineData("inStock=maybe")]
    [InlineData("maxPrice=cheap")]
    public async Task Unparseable_list_parameters_are_400(string query)
    {
        await Expect.Problem(await shop.Client().GetAsync($"/api/v1/products?{query}"), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Search_treats_like_wildcards_literally()
    {
        var admin = await shop.AdminAsync();
        var marker = Guid.NewGuid().ToString("N")[..10];
        await admin.CreateProductAsync(CatalogApi.ProductBody(name: $"{marker} 50% off"));
        await admin.CreateProductAsync(CatalogApi.ProductBody(name: $"{marker} 500 units"));

        var percent = await Expect.Json(await shop.Client().GetAsync($"/api/v1/products?q={Uri.EscapeDataString(marker + " 50%")}"));
        Assert.Equal(1, percent.GetProperty("totalCount").GetInt32());
        var underscore = await Expect.Json(await shop.Client().GetAsync($"/api/v1/products?q={Uri.EscapeDataString(marker + " 50_")}"));
        Assert.Equal(0, underscore.GetProperty("totalCount").GetInt32());
    }

    [Fact]
    public async Task The_list_is_paged_per_the_contract()
    {
        var admin = await shop.AdminAsync();
        var category = await admin.CreateCategoryAsync($"Paging {Guid.NewGuid():N}");
        for (var i = 0; i < 5; i++)
        {
            await admin.CreateProductAsync(categoryId: category);
        }

        var page = await Expect.Json(await shop.Client().GetAsync($"/api/v1/products?categoryId={category}&page=3&pageSize=2"));
        Assert.Equal(5, page.GetProperty("totalCount").GetInt32());
        Assert.Equal(3, page.GetProperty("totalPages").GetInt32());
        Assert.Equal(3, page.GetProperty("page").GetInt32());
        Assert.Equal(2, page.GetProperty("pageSize").GetInt32());
        Assert.Single(page.GetProperty("items").EnumerateArray());
        var beyond = await Expect.Json(await shop.Client().GetAsync($"/api/v1/products?categoryId={category}&page=9&pageSize=2"));
        Assert.Empty(beyond.GetProperty("items").EnumerateArray());
        var unknownCategory = await Expect.Json(await shop.Client().GetAsync($"/api/v1/products?categoryId={Guid.NewGuid()}"));
        Assert.Equal(0, unknownCategory.GetProperty("totalCount").GetInt32());
        Assert.Equal(20, (await Expect.Json(await shop.Client().GetAsync("/api/v1/products"))).GetProperty("pageSize").GetInt32());
    }

    // These reads' queries are [AsParameters] records, which the build-time endpoint code would answer with a bare
    // "Bad Request" (QueryBinding.MapQuery keeps them with the runtime factory, which names parameter and value).
    [Theory]
    [InlineData("/api/v1/products?page=abc", "Page", "abc")]
    [InlineData("/api/v1/products?minPrice=cheap", "MinPrice", "cheap")]
    [InlineData("/api/v1/products?categoryId=nope", "CategoryId", "nope")]
    [InlineData("/api/v1/products/facets?inStock=maybe", "InStock", "maybe")]
    [InlineData("/api/v1/shipping-methods?pageSize=many", "PageSize", "many")]
    public async Task A_query_value_that_does_not_parse_is_a_400_naming_the_parameter_and_the_value(string url, string parameter, string value)
    {
        var problem = await Expect.Problem(await shop.Client().GetAsync(url), HttpStatusCode.BadRequest);
        Assert.Contains($"{parameter}\" from \"{value}\"", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }
}

[Collection(SqliteCollection.Name)]
public sealed class ProductTestsOnSqlite(SqliteShop shop) : ProductTests(shop);

[Collection(PostgresCollection.Name), Trait("Category", "Postgres")]
public sealed class ProductTestsOnPostgres(PostgresShop shop) : ProductTests(shop);
