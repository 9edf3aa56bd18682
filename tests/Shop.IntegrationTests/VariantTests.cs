using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Shop.IntegrationTests.Infrastructure;

namespace Shop.IntegrationTests;

/// <summary>Products sold in several variants (API.md, "Variants"): each with its own sku, price and stock.</summary>
public abstract class VariantTests(ShopFactory shop)
{
    private static object ShirtBody(string prefix, params (string Size, string Color, decimal Price)[] variants) => new
    {
        sku = $"{prefix}",
        name = $"Shirt {prefix}",
        currency = "USD",
        options = new object[] { new { name = "Size", values = new[] { "S", "M", "L" } }, new { name = "Color", values = new[] { "Red", "Blue" } } },
        variants = variants.Select(v => new { sku = $"{prefix}-{v.Size}-{v.Color}", optionValues = new Dictionary<string, string> { ["Size"] = v.Size, ["Color"] = v.Color }, price = v.Price }),
    };

    private static readonly object[] NarrowOptions = [new { name = "Size", values = new[] { "M", "L" } }, new { name = "Color", values = new[] { "Red" } }];

    private static string Prefix() => $"SH{Guid.NewGuid():N}"[..14].ToUpperInvariant();

    private async Task<(TestUser Admin, JsonElement Product)> ShirtAsync(params (string Size, string Color, decimal Price)[] variants)
    {
        var admin = await shop.AdminAsync();
        var product = await admin.CreateProductAsync(ShirtBody(Prefix(), variants));
        return (admin, product);
    }

    private static Guid VariantId(JsonElement product, string size, string color) =>
        product.GetProperty("variants").EnumerateArray()
            .Single(v => v.GetProperty("optionValues").GetProperty("Size").GetString() == size && v.GetProperty("optionValues").GetProperty("Color").GetString() == color)
            .GetProperty("id").GetGuid();

    private static async Task SetVariantStockAsync(TestUser admin, Guid productId, Guid variantId, int onHand) =>
        await Expect.Status(await admin.Client.PutAsJsonAsync($"/api/v1/products/{productId}/variants/{variantId}/inventory", new { onHand }), HttpStatusCode.OK);

    [Fact]
    public async Task A_product_created_with_variants_shows_its_options_the_lowest_active_price_and_the_summed_stock()
    {
        var (admin, product) = await ShirtAsync(("S", "Red", 20m), ("M", "Red", 22m), ("L", "Blue", 25m));
        var id = product.GetProperty("id").GetGuid();
        Assert.Equal(3, product.GetProperty("variants").GetArrayLength());
        Assert.Equal(["Size", "Color"], product.GetProperty("options").EnumerateArray().Select(o => o.GetProperty("name").GetString()));
        Assert.Equal(20m, product.GetProperty("price").GetDecimal());
        Assert.Equal(0, product.GetProperty("stock").GetProperty("available").GetInt32());

        await SetVariantStockAsync(admin, id, VariantId(product, "S", "Red"), 4);
        await SetVariantStockAsync(admin, id, VariantId(product, "L", "Blue"), 6);
        var read = await Expect.Json(await shop.Client().GetAsync($"/api/v1/products/{id}"));
        Assert.Equal(10, read.GetProperty("stock").GetProperty("available").GetInt32());
        Assert.Equal(4, read.GetProperty("variants").EnumerateArray().Single(v => v.GetProperty("id").GetGuid() == VariantId(product, "S", "Red"))
            .GetProperty("stock").GetProperty("available").GetInt32());

        // The cheapest variant deactivated: the product's price is the next one's.
        var cheapest = VariantId(product, "S", "Red");
        await Expect.Status(await admin.Client.PutAsJsonAsync($"/api/v1/products/{id}/variants/{cheapest}",
            new { sku = $"{product.GetProperty("sku").GetString()}-S-Red", optionValues = new Dictionary<string, string> { ["Size"] = "S", ["Color"] = "Red" }, price = 20m, isActive = false }), HttpStatusCode.OK);
        read = await Expect.Json(await shop.Client().GetAsync($"/api/v1/products/{id}"));
        Assert.Equal(22m, read.GetProperty("price").GetDecimal());
        Assert.Equal(6, read.GetProperty("stock").GetProperty("available").GetInt32());
    }

    [Fact]
    public async Task A_simple_product_has_one_default_variant_with_its_own_id_sku_and_price()
    {
        var admin = await shop.AdminAsync();
        var product = await admin.CreateProductAsync(CatalogApi.ProductBody(price: 12.5m));
        var variant = Assert.Single(product.GetProperty("variants").EnumerateArray());
        Assert.Equal(product.GetProperty("id").GetGuid(), variant.GetProperty("id").GetGuid());
        Assert.Equal(product.GetProperty("sku").GetString(), variant.GetProperty("sku").GetString());
        Assert.Equal(12.5m, variant.GetProperty("price").GetDecimal());
        Assert.Empty(variant.GetProperty("optionValues").EnumerateObject());
        Assert.Empty(product.GetProperty("options").EnumerateArray());
    }

    [Fact]
    public async Task A_variant_added_to_a_product_is_201_with_empty_stock_and_becomes_the_price_when_cheapest()
    {
        var (admin, product) = await ShirtAsync(("S", "Red", 20m));
        var id = product.GetProperty("id").GetGuid();
        var sku = $"{product.GetProperty("sku").GetString()}-M-Blue";

        var created = await admin.Client.PostAsJsonAsync($"/api/v1/products/{id}/variants",
            new { sku, optionValues = new Dictionary<string, string> { ["Size"] = "M", ["Color"] = "Blue" }, price = 15m });
        var variant = await Expect.Json(created, HttpStatusCode.Created);
        Assert.Equal(sku, variant.GetProperty("sku").GetString());
        Assert.Equal(15m, variant.GetProperty("price").GetDecimal());
        Assert.True(variant.GetProperty("isActive").GetBoolean());
        Assert.Equal(0, variant.GetProperty("stock").GetProperty("available").GetInt32());

        // Stored with its stock row: it can be stocked, read back, and it is now the product's lowest price.
        await SetVariantStockAsync(admin, id, variant.GetProperty("id").GetGuid(), 3);
        var read = await Expect.Json(await shop.Client().GetAsync($"/api/v1/products/{id}"));
        Assert.Equal(2, read.GetProperty("variants").GetArrayLength());
        Assert.Equal(15m, read.GetProperty("price").GetDecimal());
        Assert.Equal(3, read.GetProperty("stock").GetProperty("available").GetInt32());
        Assert.Equal(variant.GetProperty("id").GetGuid(), VariantId(read, "M", "Blue"));

        // Admins only.
        var large = new { sku = $"{product.GetProperty("sku").GetString()}-L-Red", optionValues = new Dictionary<string, string> { ["Size"] = "L", ["Color"] = "Red" }, price = 30m };
        await Expect.Problem(await shop.Client().PostAsJsonAsync($"/api/v1/products/{id}/variants", large), HttpStatusCode.Unauthorized);
        var customer = await shop.NewUserAsync();
        await Expect.Problem(await customer.Client.PostAsJsonAsync($"/api/v1/products/{id}/variants", large), HttpStatusCode.Forbidden);

        // Two admins adding the same combination at once: one variant, the other a 409.
        var racing = await Task.WhenAll(Enumerable.Range(0, 2).Select(i => admin.Client.PostAsJsonAsync($"/api/v1/products/{id}/variants",
            new { sku = $"{large.sku}-{i}", large.optionValues, large.price })));
        Assert.Equal([HttpStatusCode.Created, HttpStatusCode.Conflict], racing.Select(r => r.StatusCode).Order());
        read = await Expect.Json(await shop.Client().GetAsync($"/api/v1/products/{id}"));
        Assert.Equal(3, read.GetProperty("variants").GetArrayLength());
    }

    [Fact]
    public async Task Variants_that_do_not_fit_the_options_repeat_a_combination_or_reuse_a_sku_are_refused()
    {
        var (admin, product) = await ShirtAsync(("S", "Red", 20m));
        var id = product.GetProperty("id").GetGuid();
        var prefix = product.GetProperty("sku").GetString();
        var variants = $"/api/v1/products/{id}/variants";

        await Expect.ValidationError(await admin.Client.PostAsJsonAsync(variants, new { sku = $"{prefix}-X", optionValues = new Dictionary<string, string> { ["Size"] = "XL", ["Color"] = "Red" }, price = 1m }), "optionValues");
        await Expect.ValidationError(await admin.Client.PostAsJsonAsync(variants, new { sku = $"{prefix}-X", optionValues = new Dictionary<string, string> { ["Size"] = "M" }, price = 1m }), "optionValues");
        await Expect.ValidationError(await admin.Client.PostAsJsonAsync(variants, new { sku = $"{prefix}-X", optionValues = new Dictionary<string, string> { ["Size"] = "M", ["Color"] = "Red", ["Fit"] = "Slim" }, price = 1m }), "optionValues");
        var exists = await Expect.Problem(await admin.Client.PostAsJsonAsync(variants, new { sku = $"{prefix}-X", optionValues = new Dictionary<string, string> { ["Size"] = "S", ["Color"] = "Red" }, price = 1m }), HttpStatusCode.Conflict);
        Assert.EndsWith("variant-exists", exists.GetProperty("type").GetString(), StringComparison.Ordinal);
        var taken = await Expect.Problem(await admin.Client.PostAsJsonAsync(variants, new { sku = $"{prefix}-S-Red", optionValues = new Dictionary<string, string> { ["Size"] = "M", ["Color"] = "Red" }, price = 1m }), HttpStatusCode.Conflict);
        Assert.EndsWith("sku-taken", taken.GetProperty("type").GetString(), StringComparison.Ordinal);
        // Another product's sku is taken too, and a variant's sku cannot become a product's.
        var other = await admin.CreateProductAsync(CatalogApi.ProductBody());
        taken = await Expect.Problem(await admin.Client.PostAsJsonAsync(variants, new { sku = other.GetProperty("sku").GetString(), optionValues = new Dictionary<string, string> { ["Size"] = "M", ["Color"] = "Red" }, price = 1m }), HttpStatusCode.Conflict);
        Assert.EndsWith("sku-taken", taken.GetProperty("type").GetString(), StringComparison.Ordinal);
        await Expect.Problem(await admin.Client.PostAsJsonAsync("/api/v1/products", CatalogApi.ProductBody(sku: $"{prefix}-S-Red")), HttpStatusCode.Conflict);

        // Nothing was added by any of them.
        var read = await Expect.Json(await admin.Client.GetAsync($"/api/v1/products/{id}"));
        Assert.Single(read.GetProperty("variants").EnumerateArray());

        // Options that an existing variant no longer fits: 409.
        var narrowed = await admin.Client.PutAsJsonAsync($"/api/v1/products/{id}", new
        {
            sku = prefix, name = "Shirt", price = 20m, currency = "USD", options = NarrowOptions,
        });
        await Expect.Problem(narrowed, HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task The_product_inventory_routes_need_a_variant_when_there_are_several_and_the_variant_routes_keep_their_own_history()
    {
        var (admin, product) = await ShirtAsync(("S", "Red", 20m), ("M", "Blue", 21m));
        var id = product.GetProperty("id").GetGuid();
        var required = await Expect.Problem(await admin.Client.GetAsync($"/api/v1/products/{id}/inventory"), HttpStatusCode.Conflict);
        Assert.EndsWith("variant-required", required.GetProperty("type").GetString(), StringComparison.Ordinal);
        await Expect.Problem(await admin.Client.PutAsJsonAsync($"/api/v1/products/{id}/inventory", new { onHand = 3 }), HttpStatusCode.Conflict);

        var small = VariantId(product, "S", "Red");
        var adjusted = await admin.Client.PostAsJsonAsync($"/api/v1/products/{id}/variants/{small}/inventory/adjustments", new { delta = 7, reason = "delivery" });
        var body = await Expect.Json(adjusted, HttpStatusCode.Created);
        Assert.Equal((id, small, 7), (body.GetProperty("productId").GetGuid(), body.GetProperty("variantId").GetGuid(), body.GetProperty("available").GetInt32()));
        var history = await Expect.Json(await admin.Client.GetAsync($"/api/v1/products/{id}/variants/{small}/inventory/adjustments"));
        Assert.Equal(1, history.GetProperty("totalCount").GetInt32());
        var otherHistory = await Expect.Json(await admin.Client.GetAsync($"/api/v1/products/{id}/variants/{VariantId(product, "M", "Blue")}/inventory/adjustments"));
        Assert.Equal(0, otherHistory.GetProperty("totalCount").GetInt32());
        // A variant of another product is not found under this one.
        var stranger = await admin.CreateProductAsync(CatalogApi.ProductBody());
        await Expect.Problem(await admin.Client.GetAsync($"/api/v1/products/{id}/variants/{stranger.GetProperty("id").GetGuid()}/inventory"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Orders_name_a_variant_and_carry_its_sku_price_and_option_values()
    {
        var (admin, product) = await ShirtAsync(("S", "Red", 20m), ("M", "Blue", 21.5m));
        var id = product.GetProperty("id").GetGuid();
        var blue = VariantId(product, "M", "Blue");
        await SetVariantStockAsync(admin, id, blue, 5);
        var customer = await shop.NewUserAsync();

        // The product alone does not say which variant: 400, nothing reserved.
        var ambiguous = await customer.PlaceAsync(new { items = new[] { new { productId = id, quantity = 1 } }, shippingAddress = OrderApi.Address });
        await Expect.ValidationError(ambiguous, "items[0].productId");

        var order = await Expect.Json(await customer.PlaceAsync(new { items = new[] { new { variantId = blue, quantity = 2 } }, shippingAddress = OrderApi.Address }), HttpStatusCode.Created);
        var line = Assert.Single(order.GetProperty("items").EnumerateArray());
        Assert.Equal((id, blue, 21.5m, 2), (line.GetProperty("productId").GetGuid(), line.GetProperty("variantId").GetGuid(), line.GetProperty("unitPrice").GetDecimal(), line.GetProperty("quantity").GetInt32()));
        Assert.Equal($"{product.GetProperty("sku").GetString()}-M-Blue", line.GetProperty("sku").GetString());
        Assert.Equal("Blue", line.GetProperty("optionValues").GetProperty("Color").GetString());
        Assert.Equal(43m, order.GetProperty("total").GetDecimal());

        var stock = await Expect.Json(await admin.Client.GetAsync($"/api/v1/products/{id}/variants/{blue}/inventory"));
        Assert.Equal((5, 2, 3), (stock.GetProperty("onHand").GetInt32(), stock.GetProperty("reserved").GetInt32(), stock.GetProperty("available").GetInt32()));

        // An ordered variant is deactivated rather than deleted; an unordered one goes. The last active one stays.
        await Expect.Status(await admin.Client.DeleteAsync($"/api/v1/products/{id}/variants/{blue}"), HttpStatusCode.NoContent);
        var red = VariantId(product, "S", "Red");
        var last = await Expect.Problem(await admin.Client.DeleteAsync($"/api/v1/products/{id}/variants/{red}"), HttpStatusCode.Conflict);
        Assert.EndsWith("last-variant", last.GetProperty("type").GetString(), StringComparison.Ordinal);
        var read = await Expect.Json(await admin.Client.GetAsync($"/api/v1/products/{id}"));
        Assert.False(read.GetProperty("variants").EnumerateArray().Single(v => v.GetProperty("id").GetGuid() == blue).GetProperty("isActive").GetBoolean());
        // A deactivated variant is not for sale.
        var refused = await customer.PlaceAsync(new { items = new[] { new { variantId = blue, quantity = 1 } }, shippingAddress = OrderApi.Address });
        await Expect.ValidationError(refused, "items[0].variantId");
    }

    [Fact]
    public async Task Two_hundred_buyers_of_a_variant_with_fifty_units_buy_exactly_fifty_and_leave_the_other_variants_alone()
    {
        var (admin, product) = await ShirtAsync(("S", "Red", 20m), ("M", "Red", 20m), ("L", "Red", 20m));
        var id = product.GetProperty("id").GetGuid();
        var (hot, other) = (VariantId(product, "M", "Red"), VariantId(product, "L", "Red"));
        await SetVariantStockAsync(admin, id, hot, 50);
        await SetVariantStockAsync(admin, id, other, 30);
        var buyers = new List<TestUser>();
        for (var i = 0; i < 20; i++)
        {
            buyers.Add(await shop.NewUserAsync());
        }

        using var start = new SemaphoreSlim(0);
        var attempts = Enumerable.Range(0, 200).Select(async n =>
        {
            await start.WaitAsync();
            return await buyers[n % buyers.Count].PlaceAsync(new { items = new[] { new { variantId = hot, quantity = 1 } }, shippingAddress = OrderApi.Address });
        }).ToList();
        start.Release(200);
        var responses = await Task.WhenAll(attempts);

        Assert.Equal(50, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.Equal(150, responses.Count(r => r.StatusCode == HttpStatusCode.Conflict));
        var hotStock = await Expect.Json(await admin.Client.GetAsync($"/api/v1/products/{id}/variants/{hot}/inventory"));
        Assert.Equal((50, 50, 0), (hotStock.GetProperty("onHand").GetInt32(), hotStock.GetProperty("reserved").GetInt32(), hotStock.GetProperty("available").GetInt32()));
        var otherStock = await Expect.Json(await admin.Client.GetAsync($"/api/v1/products/{id}/variants/{other}/inventory"));
        Assert.Equal((30, 0), (otherStock.GetProperty("onHand").GetInt32(), otherStock.GetProperty("reserved").GetInt32()));
        var read = await Expect.Json(await admin.Client.GetAsync($"/api/v1/products/{id}"));
        Assert.Equal(30, read.GetProperty("stock").GetProperty("available").GetInt32());
    }

    [Fact]
    public async Task Option_price_and_stock_filters_match_when_one_active_variant_has_them_all_and_facets_count_the_same_products()
    {
        var admin = await shop.AdminAsync();
        var top = await admin.CreateCategoryAsync($"Apparel {Guid.NewGuid():N}"[..20]);
        var leaf = await admin.CreateCategoryAsync($"Shirts {Guid.NewGuid():N}"[..20], top);
        var marker = $"facet{Guid.NewGuid():N}"[..16];
        async Task<JsonElement> Shirt(params (string Size, string Color, decimal Price)[] variants)
        {
            var prefix = Prefix();
            var body = new
            {
                sku = prefix, name = $"Shirt {marker} {prefix}", currency = "USD", categoryId = leaf,
                options = new object[] { new { name = "Size", values = new[] { "S", "M", "L" } }, new { name = "Color", values = new[] { "Red", "Blue" } } },
                variants = variants.Select(v => new { sku = $"{prefix}-{v.Size}-{v.Color}", optionValues = new Dictionary<string, string> { ["Size"] = v.Size, ["Color"] = v.Color }, price = v.Price }),
            };
            return await admin.CreateProductAsync(body);
        }

        // A: M/Red at 10 (in stock), L/Blue at 30. B: M/Blue at 20 (in stock). C: S/Red at 40, none in stock.
        var a = await Shirt(("M", "Red", 10m), ("L", "Blue", 30m));
        var b = await Shirt(("M", "Blue", 20m));
        var c = await Shirt(("S", "Red", 40m));
        await SetVariantStockAsync(admin, a.GetProperty("id").GetGuid(), VariantId(a, "M", "Red"), 3);
        await SetVariantStockAsync(admin, b.GetProperty("id").GetGuid(), VariantId(b, "M", "Blue"), 1);

        async Task<string[]> Names(string filters) =>
            [.. (await Expect.Json(await shop.Client().GetAsync($"/api/v1/products?q={marker}&sort=price&{filters}"))).GetProperty("items").EnumerateArray()
                .Select(p => p.GetProperty("sku").GetString()!)];
        var (skuA, skuB, skuC) = (a.GetProperty("sku").GetString()!, b.GetProperty("sku").GetString()!, c.GetProperty("sku").GetString()!);

        Assert.Equal([skuA, skuB], await Names("option=Size:M"));
        Assert.Equal([skuA], await Names("option=Size:M&option=Color:Red"));
        Assert.Empty(await Names("option=Size:S&option=Color:Blue"));
        // One variant must have every option value: A has an L and a Red, but not one L/Red.
        Assert.Empty(await Names("option=Size:L&option=Color:Red"));
        // minPrice: A's L/Blue at 30 qualifies although A's price (its lowest) is 10.
        Assert.Equal([skuA, skuC], await Names("minPrice=25"));
        Assert.Equal([skuA, skuB], await Names("inStock=true"));
        Assert.Equal([skuC], await Names("inStock=false"));
        // In stock and Blue: only B (A's Blue variant has no stock).
        Assert.Equal([skuB], await Names("inStock=true&option=Color:Blue"));

        var facets = await Expect.Json(await shop.Client().GetAsync($"/api/v1/products/facets?q={marker}"));
        Assert.Equal(3, facets.GetProperty("totalCount").GetInt32());
        Assert.Equal(2, facets.GetProperty("inStockCount").GetInt32());
        Assert.Equal((10m, 40m), (facets.GetProperty("price").GetProperty("min").GetDecimal(), facets.GetProperty("price").GetProperty("max").GetDecimal()));
        var categories = facets.GetProperty("categories").EnumerateArray().ToDictionary(x => x.GetProperty("id").GetGuid(), x => x.GetProperty("count").GetInt32());
        Assert.Equal(3, categories[leaf]);
        Assert.Equal(3, categories[top]); // the sub-category's products count in its parent
        int Count(JsonElement f, string option, string value) => f.GetProperty("options").EnumerateArray().Single(o => o.GetProperty("name").GetString() == option)
            .GetProperty("values").EnumerateArray().SingleOrDefault(v => v.GetProperty("value").GetString() == value) is { ValueKind: JsonValueKind.Object } v ? v.GetProperty("count").GetInt32() : 0;
        Assert.Equal((2, 1, 1), (Count(facets, "Size", "M"), Count(facets, "Size", "S"), Count(facets, "Size", "L")));
        Assert.Equal((2, 2), (Count(facets, "Color", "Red"), Count(facets, "Color", "Blue")));

        // The same filters as the list, the same products.
        var filtered = await Expect.Json(await shop.Client().GetAsync($"/api/v1/products/facets?q={marker}&option=Size:M&inStock=true"));
        Assert.Equal((await Names("option=Size:M&inStock=true")).Length, filtered.GetProperty("totalCount").GetInt32());
        Assert.Equal(2, filtered.GetProperty("inStockCount").GetInt32());
        Assert.Equal(30m, filtered.GetProperty("price").GetProperty("max").GetDecimal()); // A's active variants, all of them

        // Bad filters are 400.
        await Expect.ValidationError(await shop.Client().GetAsync("/api/v1/products?option=Size"), "option");
        await Expect.ValidationError(await shop.Client().GetAsync("/api/v1/products/facets?option=:M"), "option");
    }
}

[Collection(SqliteCollection.Name)]
public sealed class VariantTestsOnSqlite(SqliteShop shop) : VariantTests(shop);

[Collection(PostgresCollection.Name), Trait("Category", "Postgres")]
public sealed class VariantTestsOnPostgres(PostgresShop shop) : VariantTests(shop);
