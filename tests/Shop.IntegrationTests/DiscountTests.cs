using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Shop.IntegrationTests.Infrastructure;

namespace Shop.IntegrationTests;

/// <summary>Discount codes, shipping methods and tax rates (API.md, "Carts and pricing"), and the limits of a code under concurrency.</summary>
public abstract class DiscountTests(ShopFactory shop)
{
    private static readonly string[] Ireland = ["IE"];
    private static readonly string[] NewZealand = ["NZ"];
    private static readonly string[] NotACountry = ["USA"];

    private static object OrderWith(Guid product, string? code = null, Guid? shippingMethodId = null, string country = "GB") => new Dictionary<string, object?>
    {
        ["items"] = new[] { new { productId = product, quantity = 1 } },
        ["shippingAddress"] = CartApi.Address(country),
        ["discountCode"] = code,
        ["shippingMethodId"] = shippingMethodId,
    };

    [Fact]
    public async Task Admins_manage_codes_codes_are_unique_without_case_and_bad_ones_are_400()
    {
        var admin = await shop.AdminAsync();
        var code = CartApi.NewCode();
        var created = await admin.Client.PostAsJsonAsync("/api/v1/discounts", new { code, type = "percentage", value = 12.5, usageLimit = 3, oncePerCustomer = true });
        var discount = await Expect.Json(created, HttpStatusCode.Created);
        var id = discount.GetProperty("id").GetGuid();
        Assert.Equal($"/api/v1/discounts/{id}", created.Headers.Location?.OriginalString);
        Assert.Equal((code, "percentage", 12.5m, 3, 0, true, true), (discount.GetProperty("code").GetString(), discount.GetProperty("type").GetString(), discount.Money("value"),
            discount.GetProperty("usageLimit").GetInt32(), discount.GetProperty("usageCount").GetInt32(), discount.GetProperty("oncePerCustomer").GetBoolean(), discount.GetProperty("isActive").GetBoolean()));

        await Expect.Problem(await admin.Client.PostAsJsonAsync("/api/v1/discounts", new { code = code.ToLowerInvariant(), type = "free_shipping" }), HttpStatusCode.Conflict, "code-taken");
        await Expect.ValidationError(await admin.Client.PostAsJsonAsync("/api/v1/discounts", new { code = CartApi.NewCode(), type = "percentage", value = 101 }), "value");
        await Expect.ValidationError(await admin.Client.PostAsJsonAsync("/api/v1/discounts", new { code = CartApi.NewCode(), type = "percentage", value = 0 }), "value");
        await Expect.ValidationError(await admin.Client.PostAsJsonAsync("/api/v1/discounts", new { code = CartApi.NewCode(), type = "fixed_amount" }), "value");
        await Expect.ValidationError(await admin.Client.PostAsJsonAsync("/api/v1/discounts", new { code = CartApi.NewCode(), type = "bogus" }), "type");
        await Expect.ValidationError(await admin.Client.PostAsJsonAsync("/api/v1/discounts", new { code = "a b", type = "free_shipping" }), "code");
        await Expect.ValidationError(await admin.Client.PostAsJsonAsync("/api/v1/discounts",
            new { code = CartApi.NewCode(), type = "free_shipping", startsAt = DateTime.UtcNow, endsAt = DateTime.UtcNow.AddDays(-1) }), "endsAt");
        await Expect.ValidationError(await admin.Client.PostAsJsonAsync("/api/v1/discounts",
            new { code = CartApi.NewCode(), type = "percentage", value = 5, productIds = new[] { Guid.NewGuid() } }), "productIds");

        var replaced = await Expect.Json(await admin.Client.PutAsJsonAsync($"/api/v1/discounts/{id}", new { code, type = "fixed_amount", value = 4, minSubtotal = 20 }));
        Assert.Equal(("fixed_amount", 4m, 20m), (replaced.GetProperty("type").GetString(), replaced.Money("value"), replaced.Money("minSubtotal")));
        var listed = await Expect.Json(await admin.Client.GetAsync($"/api/v1/discounts?code={code[..10].ToLowerInvariant()}"));
        Assert.Equal(id, Assert.Single(listed.GetProperty("items").EnumerateArray()).GetProperty("id").GetGuid());

        var customer = await shop.NewUserAsync();
        await Expect.Problem(await customer.Client.GetAsync("/api/v1/discounts"), HttpStatusCode.Forbidden);
        await Expect.Problem(await shop.Client().PostAsJsonAsync("/api/v1/discounts", new { code = CartApi.NewCode(), type = "free_shipping" }), HttpStatusCode.Unauthorized);

        // Never used: deleted.
        await Expect.Status(await admin.Client.DeleteAsync($"/api/v1/discounts/{id}"), HttpStatusCode.NoContent);
        await Expect.Problem(await admin.Client.GetAsync($"/api/v1/discounts/{id}"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task An_order_with_a_code_shipping_and_tax_stores_every_amount_and_later_changes_do_not_touch_it()
    {
        var admin = await shop.AdminAsync();
        var category = await admin.CreateCategoryAsync($"Sale {Guid.NewGuid():N}"[..16]);
        var sub = await admin.CreateCategoryAsync($"Sub {Guid.NewGuid():N}"[..16], category);
        var inSale = await admin.CreateProductAsync(onHand: 10, price: 40m, categoryId: sub);
        var other = await admin.CreateProductAsync(onHand: 10, price: 10m);
        var method = await admin.CreateShippingMethodAsync($"IE {Guid.NewGuid():N}"[..12], 6m, ["IE"]);
        await admin.SetTaxRateAsync("IE", 0.23m, appliesToShipping: false);
        var code = CartApi.NewCode();
        var discount = await admin.CreateDiscountAsync(new { code, type = "percentage", value = 25, categoryIds = new[] { category } });
        var customer = await shop.NewUserAsync();

        var body = new Dictionary<string, object?>
        {
            ["items"] = new[] { new { productId = inSale, quantity = 1 }, new { productId = other, quantity = 1 } },
            ["shippingAddress"] = CartApi.Address("IE"), ["discountCode"] = code.ToLowerInvariant(), ["shippingMethodId"] = method,
        };
        var order = await Expect.Json(await customer.PlaceAsync(body), HttpStatusCode.Created);
        // 25% off the sub-category's line only: 10.00; tax 23% of 30.00 = 6.90 and of 10.00 = 2.30; shipping untaxed.
        Assert.Equal((50m, 10m, 6m, 9.2m, 55.2m), (order.Money("subtotal"), order.Money("discountTotal"), order.Money("shippingTotal"), order.Money("taxTotal"), order.Money("total")));
        Assert.Equal(code, order.GetProperty("discountCode").GetString());
        var lines = order.GetProperty("items").EnumerateArray().ToDictionary(l => l.GetProperty("productId").GetGuid());
        Assert.Equal((10m, 6.9m), (lines[inSale].Money("discount"), lines[inSale].Money("tax")));
        Assert.Equal((0m, 2.3m), (lines[other].Money("discount"), lines[other].Money("tax")));

        // Rates, methods and codes change; the order does not.
        await admin.SetTaxRateAsync("IE", 0.5m, appliesToShipping: true);
        await Expect.Status(await admin.Client.PutAsJsonAsync($"/api/v1/shipping-methods/{method}", new { name = "IE", price = 99, countries = Ireland }), HttpStatusCode.OK);
        var id = order.GetProperty("id").GetGuid();
        var read = await Expect.Json(await customer.Client.GetAsync($"/api/v1/orders/{id}"));
        Assert.Equal((9.2m, 55.2m, 6m), (read.Money("taxTotal"), read.Money("total"), read.Money("shippingTotal")));
        var used = await Expect.Json(await admin.Client.GetAsync($"/api/v1/discounts/{discount.GetProperty("id").GetGuid()}"));
        Assert.Equal(1, used.GetProperty("usageCount").GetInt32());

        // A used code is deactivated, not deleted; the order keeps it. Cancelling gives the use back.
        await Expect.Status(await admin.Client.DeleteAsync($"/api/v1/discounts/{discount.GetProperty("id").GetGuid()}"), HttpStatusCode.NoContent);
        used = await Expect.Json(await admin.Client.GetAsync($"/api/v1/discounts/{discount.GetProperty("id").GetGuid()}"));
        Assert.False(used.GetProperty("isActive").GetBoolean());
        await Expect.ValidationError(await customer.PlaceAsync(OrderWith(other, code, method, "IE")), "discountCode");
        await Expect.Status(await customer.Client.PostAsJsonAsync($"/api/v1/orders/{id}/cancel", new { }), HttpStatusCode.OK);
        used = await Expect.Json(await admin.Client.GetAsync($"/api/v1/discounts/{discount.GetProperty("id").GetGuid()}"));
        Assert.Equal(0, used.GetProperty("usageCount").GetInt32());

        // Without shippingMethodId an order has no shipping charge; a method that does not serve the destination is 400.
        var plain = await Expect.Json(await customer.PlaceAsync(OrderWith(other, country: "IE")), HttpStatusCode.Created);
        Assert.Equal((0m, JsonValueKind.Null), (plain.Money("shippingTotal"), plain.GetProperty("shippingMethod").ValueKind));
        await Expect.ValidationError(await customer.PlaceAsync(OrderWith(other, shippingMethodId: method, country: "GB")), "shippingMethodId");
        await Expect.ValidationError(await customer.PlaceAsync(OrderWith(other, code: "NO-SUCH-CODE")), "discountCode");
        await Expect.Status(await admin.Client.DeleteAsync("/api/v1/tax-rates/IE"), HttpStatusCode.NoContent);
        await Expect.Problem(await admin.Client.DeleteAsync("/api/v1/tax-rates/IE"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Shipping_methods_and_tax_rates_are_listed_to_anyone_and_changed_by_admins_only()
    {
        var admin = await shop.AdminAsync();
        var name = $"Kiwi {Guid.NewGuid():N}"[..14];
        var method = await admin.CreateShippingMethodAsync(name, 5m, ["nz", "AU"], freeAboveSubtotal: 80m);
        var anyone = shop.Client();
        var forNz = await Expect.Json(await anyone.GetAsync("/api/v1/shipping-methods?country=NZ"));
        var listed = forNz.GetProperty("items").EnumerateArray().Single(m => m.GetProperty("id").GetGuid() == method);
        Assert.Equal(["AU", "NZ"], listed.GetProperty("countries").EnumerateArray().Select(c => c.GetString()));
        var forFr = await Expect.Json(await anyone.GetAsync("/api/v1/shipping-methods?country=FR"));
        Assert.DoesNotContain(forFr.GetProperty("items").EnumerateArray(), m => m.GetProperty("id").GetGuid() == method);
        await Expect.ValidationError(await anyone.GetAsync("/api/v1/shipping-methods?country=XX"), "country");
        await Expect.ValidationError(await admin.Client.PostAsJsonAsync("/api/v1/shipping-methods", new { name = "Bad", price = -1 }), "price");
        await Expect.ValidationError(await admin.Client.PostAsJsonAsync("/api/v1/shipping-methods", new { name = "Bad", price = 1, countries = NotACountry }), "countries[0]");
        // price is required: a method without it is refused, not created free.
        var unpriced = $"No price {Guid.NewGuid():N}";
        await Expect.Problem(await admin.Client.PostAsJsonAsync("/api/v1/shipping-methods", new { name = unpriced }), HttpStatusCode.BadRequest);
        var all = await Expect.Json(await admin.Client.GetAsync("/api/v1/shipping-methods?pageSize=100"));
        Assert.DoesNotContain(all.GetProperty("items").EnumerateArray(), m => m.GetProperty("name").GetString() == unpriced);

        // Deactivated: gone from the public list at once (the cache is evicted by the write).
        await Expect.Status(await admin.Client.PutAsJsonAsync($"/api/v1/shipping-methods/{method}", new { name, price = 5m, countries = NewZealand, isActive = false }), HttpStatusCode.OK);
        forNz = await Expect.Json(await anyone.GetAsync("/api/v1/shipping-methods?country=NZ"));
        Assert.DoesNotContain(forNz.GetProperty("items").EnumerateArray(), m => m.GetProperty("id").GetGuid() == method);
        await Expect.Status(await admin.Client.DeleteAsync($"/api/v1/shipping-methods/{method}"), HttpStatusCode.NoContent);

        await Expect.Status(await admin.Client.PutAsJsonAsync("/api/v1/tax-rates/lu", new { rate = 0.17, name = "TVA" }), HttpStatusCode.OK);
        var rates = await Expect.Json(await anyone.GetAsync("/api/v1/tax-rates"));
        var lu = rates.GetProperty("items").EnumerateArray().Single(r => r.GetProperty("country").GetString() == "LU");
        Assert.Equal((0.17m, false), (lu.Money("rate"), lu.GetProperty("appliesToShipping").GetBoolean()));
        await Expect.ValidationError(await admin.Client.PutAsJsonAsync("/api/v1/tax-rates/LU", new { rate = 1.5 }), "rate");
        // rate is required: a body without it is refused and the rate stays; 0 sent is a rate, not a missing one.
        await Expect.Problem(await admin.Client.PutAsJsonAsync("/api/v1/tax-rates/LU", new { name = "No rate" }), HttpStatusCode.BadRequest);
        Assert.Equal(0.17m, (await Expect.Json(await anyone.GetAsync("/api/v1/tax-rates/LU"))).Money("rate"));
        await Expect.Status(await admin.Client.PutAsJsonAsync("/api/v1/tax-rates/LU", new { rate = 0m }), HttpStatusCode.OK);
        await Expect.ValidationError(await admin.Client.PutAsJsonAsync("/api/v1/tax-rates/XX", new { rate = 0.1 }), "country");
        var customer = await shop.NewUserAsync();
        await Expect.Problem(await customer.Client.PutAsJsonAsync("/api/v1/tax-rates/LU", new { rate = 0.1 }), HttpStatusCode.Forbidden);
        await Expect.Problem(await customer.Client.PostAsJsonAsync("/api/v1/shipping-methods", new { name = "Mine", price = 1 }), HttpStatusCode.Forbidden);
        await Expect.Status(await admin.Client.DeleteAsync("/api/v1/tax-rates/LU"), HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task A_code_limited_to_50_uses_is_used_exactly_50_times_by_200_concurrent_customers()
    {
        var admin = await shop.AdminAsync();
        var product = await admin.CreateProductAsync(onHand: 500, price: 10m);
        var code = CartApi.NewCode();
        var discount = await admin.CreateDiscountAsync(new { code, type = "fixed_amount", value = 1, usageLimit = 50 });
        var customers = new List<TestUser>();
        for (var i = 0; i < 200; i++)
        {
            customers.Add(await shop.NewUserAsync());
        }

        using var start = new SemaphoreSlim(0);
        var attempts = customers.Select(async c => { await start.WaitAsync(); return await c.PlaceAsync(OrderWith(product, code)); }).ToList();
        start.Release(customers.Count);
        var responses = await Task.WhenAll(attempts);

        Assert.Equal(50, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        foreach (var refused in responses.Where(r => r.StatusCode != HttpStatusCode.Created))
        {
            await Expect.Problem(refused, HttpStatusCode.Conflict, "discount-unavailable");
        }

        var used = await Expect.Json(await admin.Client.GetAsync($"/api/v1/discounts/{discount.GetProperty("id").GetGuid()}"));
        Assert.Equal(50, used.GetProperty("usageCount").GetInt32());
        // Refused orders were not made and reserved nothing.
        Assert.Equal(50, (await admin.InventoryAsync(product)).GetProperty("reserved").GetInt32());
    }

    [Fact]
    public async Task A_once_per_customer_code_used_in_parallel_by_one_customer_makes_one_order()
    {
        var admin = await shop.AdminAsync();
        var product = await admin.CreateProductAsync(onHand: 100, price: 10m);
        var code = CartApi.NewCode();
        await admin.CreateDiscountAsync(new { code, type = "percentage", value = 10, oncePerCustomer = true });
        var customer = await shop.NewUserAsync();

        using var start = new SemaphoreSlim(0);
        var attempts = Enumerable.Range(0, 12).Select(async _ => { await start.WaitAsync(); return await customer.PlaceAsync(OrderWith(product, code)); }).ToList();
        start.Release(12);
        var responses = await Task.WhenAll(attempts);

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created);
        foreach (var refused in responses.Where(r => r.StatusCode != HttpStatusCode.Created))
        {
            await Expect.Problem(refused, HttpStatusCode.Conflict, "discount-unavailable");
        }

        Assert.Equal(1, (await admin.InventoryAsync(product)).GetProperty("reserved").GetInt32());
        // Another customer may still use it.
        await Expect.Status(await (await shop.NewUserAsync()).PlaceAsync(OrderWith(product, code)), HttpStatusCode.Created);
    }
}

[Collection(SqliteCollection.Name)]
public sealed class DiscountTestsOnSqlite(SqliteShop shop) : DiscountTests(shop);

[Collection(PostgresCollection.Name), Trait("Category", "Postgres")]
public sealed class DiscountTestsOnPostgres(PostgresShop shop) : DiscountTests(shop);
