using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Shop.Core.Jobs;
using Shop.IntegrationTests.Infrastructure;

namespace Shop.IntegrationTests;

/// <summary>Carts (API.md, "Carts and pricing"): lines, live prices, access, checkout.</summary>
public abstract class CartTests(ShopFactory shop)
{
    private static readonly string[] Sizes = ["S", "M"];

    private async Task<(TestUser Admin, Guid Product)> StockedProductAsync(decimal price = 20m, int onHand = 50) =>
        (await shop.AdminAsync(), await (await shop.AdminAsync()).CreateProductAsync(onHand: onHand, price: price));

    [Fact]
    public async Task An_anonymous_cart_merges_lines_per_variant_prices_them_live_and_edits_them()
    {
        var (admin, product) = await StockedProductAsync(price: 12.5m, onHand: 7);
        var client = shop.Client();
        var created = await client.PostAsJsonAsync("/api/v1/carts", new { });
        var cart = await Expect.Json(created, HttpStatusCode.Created);
        var id = cart.GetProperty("id").GetGuid();
        Assert.Equal($"/api/v1/carts/{id}", created.Headers.Location?.OriginalString);
        Assert.Equal(JsonValueKind.Null, cart.GetProperty("userId").ValueKind);
        Assert.Equal(0, cart.GetProperty("items").GetArrayLength());
        Assert.True(cart.GetProperty("expiresAt").GetDateTime() > DateTime.UtcNow.AddDays(29));

        await client.AddAsync(id, new { productId = product, quantity = 2 });
        cart = await client.AddAsync(id, new { productId = product, quantity = 3 });
        var line = Assert.Single(cart.GetProperty("items").EnumerateArray());
        Assert.Equal((5, 12.5m, 62.5m, 7), (line.GetProperty("quantity").GetInt32(), line.Money("unitPrice"), line.Money("lineTotal"), line.GetProperty("available").GetInt32()));
        Assert.Equal(product, line.GetProperty("variantId").GetGuid()); // a simple product's only variant has its id
        Assert.Equal((62.5m, 62.5m), (cart.Money("subtotal"), cart.Money("total")));

        // The catalog's price now, not the price when the line was added.
        var sku = line.GetProperty("sku").GetString();
        await Expect.Status(await admin.Client.PutAsJsonAsync($"/api/v1/products/{product}", CatalogApi.ProductBody(sku: sku, name: line.GetProperty("name").GetString(), price: 10m)), HttpStatusCode.OK);
        cart = await Expect.Json(await client.GetAsync($"/api/v1/carts/{id}"));
        Assert.Equal(50m, cart.Money("subtotal"));

        var lineId = line.GetProperty("id").GetGuid();
        cart = await Expect.Json(await client.PatchAsJsonAsync($"/api/v1/carts/{id}/items/{lineId}", new { quantity = 1 }));
        Assert.Equal(10m, cart.Money("total"));
        cart = await Expect.Json(await client.PatchAsJsonAsync($"/api/v1/carts/{id}/items/{lineId}", new { quantity = 0 }));
        Assert.Equal(0, cart.GetProperty("items").GetArrayLength());

        cart = await client.AddAsync(id, new { variantId = product, quantity = 1 });
        lineId = cart.GetProperty("items")[0].GetProperty("id").GetGuid();
        cart = await Expect.Json(await client.DeleteAsync($"/api/v1/carts/{id}/items/{lineId}"));
        Assert.Equal(0, cart.GetProperty("items").GetArrayLength());
        await Expect.Problem(await client.DeleteAsync($"/api/v1/carts/{id}/items/{lineId}"), HttpStatusCode.NotFound);
        await Expect.Problem(await client.GetAsync($"/api/v1/carts/{Guid.NewGuid()}"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Bad_lines_are_400_and_change_nothing()
    {
        var (admin, product) = await StockedProductAsync();
        var shirt = await admin.CreateProductAsync(new
        {
            sku = $"CT{Guid.NewGuid():N}"[..14], name = "Cart shirt", currency = "USD",
            options = new object[] { new { name = "Size", values = Sizes } },
            variants = Sizes.Select(s => new { sku = $"CT{Guid.NewGuid():N}"[..14], optionValues = new Dictionary<string, string> { ["Size"] = s }, price = 9m }),
        });
        var euro = await admin.CreateProductAsync(new { sku = $"EU{Guid.NewGuid():N}"[..14], name = "Euro thing", price = 5m, currency = "EUR" });
        var client = shop.Client();
        var id = await client.NewCartAsync();
        await client.AddAsync(id, new { productId = product, quantity = 1 });

        await Expect.ValidationError(await client.PostAsJsonAsync($"/api/v1/carts/{id}/items", new { productId = shirt.GetProperty("id").GetGuid(), quantity = 1 }), "productId");
        await Expect.ValidationError(await client.PostAsJsonAsync($"/api/v1/carts/{id}/items", new { variantId = Guid.NewGuid(), quantity = 1 }), "variantId");
        await Expect.ValidationError(await client.PostAsJsonAsync($"/api/v1/carts/{id}/items", new { productId = product, quantity = 0 }), "quantity");
        await Expect.ValidationError(await client.PostAsJsonAsync($"/api/v1/carts/{id}/items", new { productId = product, quantity = 1001 }), "quantity");
        await Expect.ValidationError(await client.PostAsJsonAsync($"/api/v1/carts/{id}/items", new { productId = product, quantity = 1000 }), "quantity"); // 1 + 1000
        await Expect.ValidationError(await client.PostAsJsonAsync($"/api/v1/carts/{id}/items", new { productId = euro.GetProperty("id").GetGuid(), quantity = 1 }), "productId");
        await Expect.ValidationError(await client.PostAsJsonAsync($"/api/v1/carts/{id}/items", new { quantity = 1 }), "variantId");
        var lineId = (await Expect.Json(await client.GetAsync($"/api/v1/carts/{id}"))).GetProperty("items")[0].GetProperty("id").GetGuid();
        await Expect.ValidationError(await client.PatchAsJsonAsync($"/api/v1/carts/{id}/items/{lineId}", new { quantity = -1 }), "quantity");
        // quantity is required: a body without it is refused, not read as 0 (which removes the line).
        await Expect.Problem(await client.PatchAsJsonAsync($"/api/v1/carts/{id}/items/{lineId}", new { }), HttpStatusCode.BadRequest);

        var cart = await Expect.Json(await client.GetAsync($"/api/v1/carts/{id}"));
        var line = Assert.Single(cart.GetProperty("items").EnumerateArray());
        Assert.Equal(1, line.GetProperty("quantity").GetInt32());

        // A variant of the product, named, is fine.
        var small = shirt.GetProperty("variants")[0].GetProperty("id").GetGuid();
        cart = await client.AddAsync(id, new { variantId = small, quantity = 1 });
        Assert.Equal(2, cart.GetProperty("items").GetArrayLength());
        Assert.Single(cart.GetProperty("items")[1].GetProperty("optionValues").EnumerateObject());
    }

    [Fact]
    public async Task A_users_cart_is_theirs_alone_an_ownerless_cart_is_claimed_by_the_first_signed_in_caller()
    {
        var (_, product) = await StockedProductAsync();
        var alice = await shop.NewUserAsync();
        var bob = await shop.NewUserAsync();
        var admin = await shop.AdminAsync();

        var hers = await alice.Client.NewCartAsync();
        Assert.Equal(alice.Id, (await Expect.Json(await alice.Client.GetAsync($"/api/v1/carts/{hers}"))).GetProperty("userId").GetGuid());
        await Expect.Problem(await bob.Client.GetAsync($"/api/v1/carts/{hers}"), HttpStatusCode.NotFound);
        await Expect.Problem(await shop.Client().GetAsync($"/api/v1/carts/{hers}"), HttpStatusCode.NotFound);
        await bob.Client.AddAsync(hers, new { productId = product, quantity = 1 }, HttpStatusCode.NotFound);
        await Expect.Problem(await bob.Client.CheckoutAsync(hers), HttpStatusCode.NotFound);
        // Admins may read it, not change it.
        await Expect.Json(await admin.Client.GetAsync($"/api/v1/carts/{hers}"));
        await admin.Client.AddAsync(hers, new { productId = product, quantity = 1 }, HttpStatusCode.NotFound);

        var anonymous = shop.Client();
        var open = await anonymous.NewCartAsync();
        await anonymous.AddAsync(open, new { productId = product, quantity = 1 });
        // Bob's first request makes it his, lines kept; then it is a stranger's to everyone else.
        var claimed = await Expect.Json(await bob.Client.GetAsync($"/api/v1/carts/{open}"));
        Assert.Equal(bob.Id, claimed.GetProperty("userId").GetGuid());
        Assert.Equal(1, claimed.GetProperty("items").GetArrayLength());
        await Expect.Problem(await anonymous.GetAsync($"/api/v1/carts/{open}"), HttpStatusCode.NotFound);
        await Expect.Problem(await alice.Client.GetAsync($"/api/v1/carts/{open}"), HttpStatusCode.NotFound);

        // Checkout needs a signed-in user.
        await Expect.Problem(await anonymous.CheckoutAsync(await anonymous.NewCartAsync()), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Patch_changes_only_the_fields_sent_null_clears_and_a_bad_choice_changes_nothing()
    {
        var (admin, product) = await StockedProductAsync(price: 30m);
        var nz = await admin.CreateShippingMethodAsync($"NZ Post {Guid.NewGuid():N}"[..16], 7.5m, ["NZ"]);
        var elsewhere = await admin.CreateShippingMethodAsync($"Far {Guid.NewGuid():N}"[..12], 3m, ["FJ"]);
        var code = CartApi.NewCode();
        await admin.CreateDiscountAsync(new { code, type = "percentage", value = 10, minSubtotal = 50 });
        var client = shop.Client();
        var id = await client.NewCartAsync();
        await client.AddAsync(id, new { productId = product, quantity = 1 });

        // Before an address any active method may be chosen (the address decides later), and every active one is listed.
        var cart = await Expect.Json(await client.PatchCartAsync(id, new() { ["shippingMethodId"] = elsewhere }));
        Assert.Equal((elsewhere, 3m), (cart.GetProperty("shippingMethod").GetProperty("id").GetGuid(), cart.Money("shippingTotal")));
        var listed = await Expect.Json(await client.GetAsync($"/api/v1/carts/{id}/shipping-methods?pageSize=100"));
        Assert.Contains(listed.GetProperty("items").EnumerateArray(), m => m.GetProperty("id").GetGuid() == nz);

        cart = await Expect.Json(await client.PatchCartAsync(id, new() { ["email"] = "grace@example.com", ["shippingAddress"] = CartApi.Address("NZ"), ["shippingMethodId"] = nz }));
        Assert.Equal(("grace@example.com", "NZ", 7.5m), (cart.GetProperty("email").GetString(), cart.GetProperty("shippingAddress").GetProperty("country").GetString(), cart.Money("shippingTotal")));
        Assert.Equal(nz, cart.GetProperty("shippingMethod").GetProperty("id").GetGuid());

        // A method that does not ship there, a code below its minimum, an unknown code: 400 naming the field, nothing changed.
        await Expect.ValidationError(await client.PatchCartAsync(id, new() { ["shippingMethodId"] = elsewhere, ["email"] = "other@example.com" }), "shippingMethodId");
        var problem = await Expect.ValidationError(await client.PatchCartAsync(id, new() { ["discountCode"] = code }), "discountCode");
        Assert.Contains("at least", problem.GetProperty("errors").GetProperty("discountCode")[0].GetString());
        await Expect.ValidationError(await client.PatchCartAsync(id, new() { ["discountCode"] = "NO-SUCH-CODE" }), "discountCode");
        await Expect.ValidationError(await client.PatchCartAsync(id, new() { ["email"] = "not-an-email" }), "email");
        cart = await Expect.Json(await client.GetAsync($"/api/v1/carts/{id}"));
        Assert.Equal(("grace@example.com", nz), (cart.GetProperty("email").GetString(), cart.GetProperty("shippingMethod").GetProperty("id").GetGuid()));
        Assert.Equal(JsonValueKind.Null, cart.GetProperty("discountCode").ValueKind);

        // Enough in the cart, the code applies, matched without case.
        await client.AddAsync(id, new { productId = product, quantity = 1 });
        cart = await Expect.Json(await client.PatchCartAsync(id, new() { ["discountCode"] = code.ToLowerInvariant() }));
        Assert.Equal((code, 6m, 60m - 6m + 7.5m), (cart.GetProperty("discountCode").GetString(), cart.Money("discountTotal"), cart.Money("total")));

        // Only the email is cleared; the rest stays.
        cart = await Expect.Json(await client.PatchCartAsync(id, new() { ["email"] = null }));
        Assert.Equal(JsonValueKind.Null, cart.GetProperty("email").ValueKind);
        Assert.Equal((code, nz), (cart.GetProperty("discountCode").GetString(), cart.GetProperty("shippingMethod").GetProperty("id").GetGuid()));

        // A new destination the method does not serve drops the method; null clears the code.
        cart = await Expect.Json(await client.PatchCartAsync(id, new() { ["shippingAddress"] = CartApi.Address("FJ"), ["discountCode"] = null }));
        Assert.Equal(JsonValueKind.Null, cart.GetProperty("shippingMethod").ValueKind);
        Assert.Equal((0m, 0m, 60m), (cart.Money("discountTotal"), cart.Money("shippingTotal"), cart.Money("total")));
        var methods = await Expect.Json(await client.GetAsync($"/api/v1/carts/{id}/shipping-methods"));
        Assert.Contains(methods.GetProperty("items").EnumerateArray(), m => m.GetProperty("id").GetGuid() == elsewhere && m.Money("price") == 3m);
        Assert.DoesNotContain(methods.GetProperty("items").EnumerateArray(), m => m.GetProperty("id").GetGuid() == nz);

        // The removed shipping method and a saved address need a signed-in caller.
        await Expect.ValidationError(await client.PatchCartAsync(id, new() { ["shippingAddressId"] = Guid.NewGuid() }), "shippingAddressId");
    }

    [Fact]
    public async Task Checkout_makes_the_order_the_cart_shows_closes_the_cart_and_a_retry_with_the_key_returns_the_same_order()
    {
        var (admin, product) = await StockedProductAsync(price: 25m, onHand: 10);
        var method = await admin.CreateShippingMethodAsync($"Portugal {Guid.NewGuid():N}"[..16], 4.99m, ["PT"], freeAboveSubtotal: 100m);
        await admin.SetTaxRateAsync("PT", 0.23m, appliesToShipping: true);
        var code = CartApi.NewCode();
        await admin.CreateDiscountAsync(new { code, type = "fixed_amount", value = 5 });
        var customer = await shop.NewUserAsync();
        var id = await customer.Client.NewCartAsync();

        await Expect.ValidationError(await customer.Client.CheckoutAsync(id), "items");
        await customer.Client.AddAsync(id, new { productId = product, quantity = 2 });
        await Expect.ValidationError(await customer.Client.CheckoutAsync(id), "shippingAddress");
        await Expect.Status(await customer.Client.PatchCartAsync(id, new() { ["shippingAddress"] = CartApi.Address("PT") }), HttpStatusCode.OK);
        await Expect.ValidationError(await customer.Client.CheckoutAsync(id), "shippingMethodId");
        var receipts = $"receipts-{Guid.NewGuid():N}@example.com";
        var cart = await Expect.Json(await customer.Client.PatchCartAsync(id, new() { ["shippingMethodId"] = method, ["discountCode"] = code, ["email"] = receipts }));

        // 50.00 - 5.00 = 45.00; tax 23% of 45.00 = 10.35 and of 4.99 = 1.1477 -> 1.15.
        Assert.Equal((50m, 5m, 4.99m, 11.5m, 61.49m), (cart.Money("subtotal"), cart.Money("discountTotal"), cart.Money("shippingTotal"), cart.Money("taxTotal"), cart.Money("total")));
        var key = $"checkout-{Guid.NewGuid():N}";
        var order = await Expect.Json(await customer.Client.CheckoutAsync(id, key), HttpStatusCode.Created);
        Assert.Equal((50m, 5m, 4.99m, 11.5m, 61.49m), (order.Money("subtotal"), order.Money("discountTotal"), order.Money("shippingTotal"), order.Money("taxTotal"), order.Money("total")));
        Assert.Equal((code, method, receipts), (order.GetProperty("discountCode").GetString(), order.GetProperty("shippingMethod").GetProperty("id").GetGuid(), order.GetProperty("email").GetString()));
        var line = Assert.Single(order.GetProperty("items").EnumerateArray());
        Assert.Equal((5m, 10.35m), (line.Money("discount"), line.Money("tax")));
        Assert.Equal(2, (await admin.InventoryAsync(product)).GetProperty("reserved").GetInt32());

        var replay = await Expect.Json(await customer.Client.CheckoutAsync(id, key), HttpStatusCode.Created);
        Assert.Equal(order.GetProperty("id").GetGuid(), replay.GetProperty("id").GetGuid());
        await Expect.Problem(await customer.Client.CheckoutAsync(id), HttpStatusCode.Conflict, "cart-closed");
        await customer.Client.AddAsync(id, new { productId = product, quantity = 1 }, HttpStatusCode.Conflict);
        await Expect.Problem(await customer.Client.PatchCartAsync(id, new() { ["email"] = "late@example.com" }), HttpStatusCode.Conflict, "cart-closed");
        var closed = await Expect.Json(await customer.Client.GetAsync($"/api/v1/carts/{id}"));
        Assert.Equal(("closed", order.GetProperty("id").GetGuid()), (closed.GetProperty("status").GetString(), closed.GetProperty("orderId").GetGuid()));
        Assert.Equal(2, (await admin.InventoryAsync(product)).GetProperty("reserved").GetInt32());

        // Paid: the payment charges the total, shipping and tax included.
        var payment = await Expect.Json(await customer.PayAsync(order.GetProperty("id").GetGuid(), "tok_visa"), HttpStatusCode.Accepted);
        Assert.Equal(61.49m, payment.Money("amount"));
        var settled = await customer.SettledAsync(payment.GetProperty("id").GetGuid());
        Assert.Equal(("succeeded", 61.49m), (settled.GetProperty("status").GetString(), settled.Money("amount")));

        // The confirmation goes to the cart's email and lists the discount, shipping and tax.
        var number = order.GetProperty("number").GetString()!;
        var email = await shop.Smtp.WaitForAsync(m => m.To.ToString().Contains(receipts, StringComparison.OrdinalIgnoreCase) && (m.Subject ?? "").Contains(number, StringComparison.Ordinal));
        Assert.Contains($"Discount ({code}): -5.00 USD", email.TextBody, StringComparison.Ordinal);
        Assert.Contains("Shipping (Portugal", email.TextBody, StringComparison.Ordinal);
        Assert.Contains("Tax: 11.50 USD", email.TextBody, StringComparison.Ordinal);
        Assert.Contains("Total: 61.49 USD", email.TextBody, StringComparison.Ordinal);
        await Expect.Status(await admin.Client.DeleteAsync("/api/v1/tax-rates/PT"), HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task Two_tabs_checking_out_one_cart_at_once_make_one_order()
    {
        var (admin, product) = await StockedProductAsync(onHand: 20);
        var customer = await shop.NewUserAsync();
        for (var round = 0; round < 3; round++)
        {
            var id = await customer.Client.NewCartAsync();
            await customer.Client.AddAsync(id, new { productId = product, quantity = 1 });
            await Expect.Status(await customer.Client.PatchCartAsync(id, new() { ["shippingAddress"] = CartApi.Address("AQ") }), HttpStatusCode.OK);
            using var start = new SemaphoreSlim(0);
            var tabs = Enumerable.Range(0, 2).Select(async _ => { await start.WaitAsync(); return await customer.Client.CheckoutAsync(id); }).ToList();
            start.Release(2);
            var responses = await Task.WhenAll(tabs);
            Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
            var refused = Assert.Single(responses, r => r.StatusCode != HttpStatusCode.Created);
            await Expect.Problem(refused, HttpStatusCode.Conflict);
        }

        Assert.Equal(3, (await admin.InventoryAsync(product)).GetProperty("reserved").GetInt32());
        var orders = await Expect.Json(await customer.Client.GetAsync("/api/v1/orders"));
        Assert.Equal(3, orders.GetProperty("totalCount").GetInt32());
    }

    [Fact]
    public async Task A_cart_untouched_for_its_lifetime_is_gone_at_once_and_the_job_deletes_it()
    {
        var (_, product) = await StockedProductAsync();
        var client = shop.Client();
        var old = await client.NewCartAsync();
        var fresh = await client.NewCartAsync();
        await client.AddAsync(old, new { productId = product, quantity = 1 });
        await using (var db = shop.OpenContext())
        {
            var longAgo = DateTime.UtcNow.AddDays(-31);
            await db.Carts.Where(c => c.Id == old).ExecuteUpdateAsync(s => s.SetProperty(c => c.UpdatedAt, longAgo));
        }

        await Expect.Problem(await client.GetAsync($"/api/v1/carts/{old}"), HttpStatusCode.NotFound);
        await shop.InvokeAsync(new ExpireCarts(DateTimeOffset.UtcNow));
        await using (var db = shop.OpenContext())
        {
            Assert.False(await db.Carts.AnyAsync(c => c.Id == old));
            Assert.False(await db.CartLines.AnyAsync(l => l.CartId == old));
            Assert.True(await db.Carts.AnyAsync(c => c.Id == fresh));
        }
    }
}

[Collection(SqliteCollection.Name)]
public sealed class CartTestsOnSqlite(SqliteShop shop) : CartTests(shop);

[Collection(PostgresCollection.Name), Trait("Category", "Postgres")]
public sealed class CartTestsOnPostgres(PostgresShop shop) : CartTests(shop);
