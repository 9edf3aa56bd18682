using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Shop.Core.Common;
using Shop.Core.Orders;
using Shop.IntegrationTests.Infrastructure;

namespace Shop.IntegrationTests;

public abstract class OrderTests(ShopFactory shop)
{
    [Fact]
    public async Task Placing_an_order_copies_prices_computes_totals_and_reserves_stock()
    {
        var admin = await shop.AdminAsync();
        var customer = await shop.NewUserAsync();
        var mug = await admin.CreateProductAsync(onHand: 10, price: 12.50m);
        var pot = await admin.CreateProductAsync(onHand: 3, price: 30.25m);
        var placedBefore = await OrdersPlacedAsync();

        var response = await customer.PlaceAsync(OrderApi.Body((mug, 2), (pot, 3)));
        var order = await Expect.Json(response, HttpStatusCode.Created);
        var id = order.GetProperty("id").GetGuid();

        Assert.Equal($"/api/v1/orders/{id}", response.Headers.Location?.ToString());
        Assert.Matches("^SH-[0-9A-HJKMNP-TV-Z]{8}$", order.GetProperty("number").GetString());
        Assert.Equal("pending_payment", order.GetProperty("status").GetString());
        Assert.Equal(115.75m, order.GetProperty("subtotal").GetDecimal());
        Assert.Equal(115.75m, order.GetProperty("total").GetDecimal());
        Assert.Equal("USD", order.GetProperty("currency").GetString());
        var items = order.GetProperty("items").EnumerateArray().ToDictionary(i => i.GetProperty("productId").GetGuid());
        Assert.Equal(12.50m, items[mug].GetProperty("unitPrice").GetDecimal());
        Assert.Equal(25.00m, items[mug].GetProperty("lineTotal").GetDecimal());
        Assert.Equal(3, items[pot].GetProperty("quantity").GetInt32());
        Assert.False(string.IsNullOrEmpty(items[pot].GetProperty("sku").GetString()));
        Assert.False(string.IsNullOrEmpty(items[pot].GetProperty("name").GetString()));
        Assert.Equal("GB", order.GetProperty("shippingAddress").GetProperty("country").GetString());
        Assert.Equal("pending_payment", Assert.Single(order.GetProperty("statusHistory").EnumerateArray()).GetProperty("status").GetString());
        var placed = order.GetProperty("statusHistory")[0];
        Assert.Equal(("customer", "Order placed."), (placed.GetProperty("actor").GetString(), placed.GetProperty("note").GetString()));
        Assert.True(await OrdersPlacedAsync() > placedBefore);

        var stock = await admin.InventoryAsync(mug);
        Assert.Equal(10, stock.GetProperty("onHand").GetInt32());
        Assert.Equal(2, stock.GetProperty("reserved").GetInt32());
        Assert.Equal(0, (await admin.InventoryAsync(pot)).GetProperty("available").GetInt32());

        // The order keeps the price it was placed at.
        var product = await Expect.Json(await admin.Client.GetAsync($"/api/v1/products/{mug}"));
        await Expect.Status(await admin.Client.PutAsJsonAsync($"/api/v1/products/{mug}", CatalogApi.ProductBody(sku: product.GetProperty("sku").GetString(), price: 99m)), HttpStatusCode.OK);
        var again = await Expect.Json(await customer.Client.GetAsync($"/api/v1/orders/{id}"));
        Assert.Equal(115.75m, again.GetProperty("total").GetDecimal());
    }

    private async Task<double> OrdersPlacedAsync() =>
        Loopback.MetricValue(await (await shop.Client().GetAsync("/metrics")).Content.ReadAsStringAsync(), "shop_orders_placed_total");

    [Fact]
    public async Task An_order_can_ship_to_a_saved_address_but_not_to_someone_elses_and_a_null_line_is_400()
    {
        var admin = await shop.AdminAsync();
        var customer = await shop.NewUserAsync();
        var other = await shop.NewUserAsync();
        var product = await admin.CreateProductAsync(onHand: 5);
        var mine = (await Expect.Json(await customer.Client.PostAsJsonAsync("/api/v1/users/me/addresses", OrderApi.Address), HttpStatusCode.Created)).GetProperty("id").GetGuid();
        var theirs = (await Expect.Json(await other.Client.PostAsJsonAsync("/api/v1/users/me/addresses", OrderApi.Address), HttpStatusCode.Created)).GetProperty("id").GetGuid();

        var order = await Expect.Json(await customer.PlaceAsync(new { items = new[] { new { productId = product, quantity = 1 } }, shippingAddressId = mine }), HttpStatusCode.Created);
        Assert.Equal("Ada Lovelace", order.GetProperty("shippingAddress").GetProperty("fullName").GetString());

        // Another customer's address is 404, like an address that does not exist (the contract: never reveal that it exists).
        await Expect.Problem(await customer.PlaceAsync(new { items = new[] { new { productId = product, quantity = 1 } }, shippingAddressId = theirs }), HttpStatusCode.NotFound);
        await Expect.Problem(await customer.PlaceAsync(new { items = new[] { new { productId = product, quantity = 1 } }, shippingAddressId = Guid.NewGuid() }), HttpStatusCode.NotFound);
        await Expect.ValidationError(await customer.PlaceAsync(new { items = new object?[] { null }, shippingAddress = OrderApi.Address }), "items[0]");
        await Expect.ValidationError(await customer.PlaceAsync(new { items = new[] { new { productId = product, quantity = 1 } } }), "shippingAddress");
        await Expect.ValidationError(await customer.PlaceAsync(new { items = new[] { new { productId = product, quantity = 1 } }, shippingAddress = OrderApi.Address, shippingAddressId = mine }), "shippingAddress");
        await Expect.ValidationError(await customer.PlaceAsync(new { items = new[] { new { productId = product, quantity = 1 } }, shippingAddress = new { fullName = "X", line1 = "Y", city = "Z", postalCode = "1", country = "ZZ" } }), "shippingAddress.country");
        Assert.Equal(1, (await admin.InventoryAsync(product)).GetProperty("reserved").GetInt32());
    }

    [Fact]
    public async Task Reservation_is_all_or_nothing_and_names_the_product_that_is_short()
    {
        var admin = await shop.AdminAsync();
        var customer = await shop.NewUserAsync();
        var plenty = await admin.CreateProductAsync(onHand: 50);
        var scarce = await admin.CreateProductAsync(onHand: 2);

        var problem = await Expect.Problem(await customer.PlaceAsync(OrderApi.Body((plenty, 5), (scarce, 3))), HttpStatusCode.Conflict);
        Assert.EndsWith("insufficient-stock", problem.GetProperty("type").GetString(), StringComparison.Ordinal);
        Assert.Equal(scarce, problem.GetProperty("productId").GetGuid());
        Assert.Contains(scarce.ToString(), problem.GetProperty("detail").GetString(), StringComparison.Ordinal);

        Assert.Equal(0, (await admin.InventoryAsync(plenty)).GetProperty("reserved").GetInt32());
        Assert.Equal(0, (await admin.InventoryAsync(scarce)).GetProperty("reserved").GetInt32());
        Assert.Equal(0, (await Expect.Json(await customer.Client.GetAsync("/api/v1/orders"))).GetProperty("totalCount").GetInt32());
    }

    public static TheoryData<string, string> BadOrders => new()
    {
        { "{\"items\":[{\"productId\":\"P\",\"quantity\":0}],\"shippingAddress\":A}", "items[0].quantity" },
        { "{\"items\":[{\"productId\":\"P\",\"quantity\":-1}],\"shippingAddress\":A}", "items[0].quantity" },
        { "{\"items\":[{\"productId\":\"P\",\"quantity\":1001}],\"shippingAddress\":A}", "items[0].quantity" },
        { "{\"items\":[{\"productId\":\"P\"}],\"shippingAddress\":A}", "items[0].quantity" },
        { "{\"items\":[],\"shippingAddress\":A}", "items" },
        { "{\"shippingAddress\":A}", "items" },
        { "{\"items\":[{\"productId\":\"00000000-0000-0000-0000-00000000abcd\",\"quantity\":1}],\"shippingAddress\":A}", "items[0].productId" },
        { "{\"items\":[{\"productId\":\"INACTIVE\",\"quantity\":1}],\"shippingAddress\":A}", "items[0].productId" },
        { "{\"items\":[{\"productId\":\"P\",\"quantity\":600},{\"productId\":\"P\",\"quantity\":600}],\"shippingAddress\":A}", "items" },
    };

    [Theory]
    [MemberData(nameof(BadOrders))]
    public async Task Bad_orders_are_400_and_reserve_nothing(string template, string field)
    {
        var admin = await shop.AdminAsync();
        var customer = await shop.NewUserAsync();
        var product = await admin.CreateProductAsync(onHand: 2000);
        var inactive = (await admin.CreateProductAsync(CatalogApi.ProductBody(isActive: false))).GetProperty("id").GetGuid();
        await admin.SetStockAsync(inactive, 10);
        var body = template.Replace("\"P\"", $"\"{product}\"", StringComparison.Ordinal)
            .Replace("\"INACTIVE\"", $"\"{inactive}\"", StringComparison.Ordinal)
            .Replace("A}", JsonSerializer.Serialize(OrderApi.Address) + "}", StringComparison.Ordinal);

        var response = await customer.Client.PostAsync("/api/v1/orders", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        await Expect.ValidationError(response, field);
        Assert.Equal(0, (await admin.InventoryAsync(product)).GetProperty("reserved").GetInt32());
        Assert.Equal(0, (await admin.InventoryAsync(inactive)).GetProperty("reserved").GetInt32());
    }

    [Fact]
    public async Task Orders_need_a_token()
    {
        await Expect.Problem(await shop.Client().PostAsJsonAsync("/api/v1/orders", OrderApi.Body((Guid.NewGuid(), 1))), HttpStatusCode.Unauthorized);
        await Expect.Problem(await shop.Client().GetAsync("/api/v1/orders"), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Another_customers_order_is_404_on_every_route_and_admin_routes_are_403()
    {
        var admin = await shop.AdminAsync();
        var owner = await shop.NewUserAsync();
        var stranger = await shop.NewUserAsync();
        var product = await admin.CreateProductAsync(onHand: 5);
        var id = (await owner.PlaceOrderAsync((product, 1))).GetProperty("id").GetGuid();

        await Expect.Problem(await stranger.Client.GetAsync($"/api/v1/orders/{id}"), HttpStatusCode.NotFound);
        await Expect.Problem(await stranger.Client.GetAsync($"/api/v1/orders/{id}/tracking"), HttpStatusCode.NotFound);
        await Expect.Problem(await stranger.Client.PostAsync($"/api/v1/orders/{id}/cancel", null), HttpStatusCode.NotFound);
        await Expect.Problem(await stranger.Client.PatchAsJsonAsync($"/api/v1/orders/{id}/status", new { status = "cancelled" }), HttpStatusCode.Forbidden);
        await Expect.Problem(await owner.Client.PatchAsJsonAsync($"/api/v1/orders/{id}/status", new { status = "paid" }), HttpStatusCode.Forbidden);
        await Expect.Problem(await stranger.Client.GetAsync($"/api/v1/orders/{Guid.NewGuid()}"), HttpStatusCode.NotFound);

        var strangersList = await Expect.Json(await stranger.Client.GetAsync($"/api/v1/orders?userId={owner.Id}"));
        Assert.Equal(0, strangersList.GetProperty("totalCount").GetInt32());

        var still = await Expect.Json(await owner.Client.GetAsync($"/api/v1/orders/{id}"));
        Assert.Equal("pending_payment", still.GetProperty("status").GetString());
        await Expect.Status(await admin.Client.GetAsync($"/api/v1/orders/{id}"), HttpStatusCode.OK);
    }

    [Fact]
    public async Task Lists_are_newest_first_filtered_by_status_and_admins_filter_by_user()
    {
        var admin = await shop.AdminAsync();
        var customer = await shop.NewUserAsync();
        var product = await admin.CreateProductAsync(onHand: 20);
        var first = (await customer.PlaceOrderAsync((product, 1))).GetProperty("id").GetGuid();
        var second = (await customer.PlaceOrderAsync((product, 1))).GetProperty("id").GetGuid();
        var third = (await customer.PlaceOrderAsync((product, 1))).GetProperty("id").GetGuid();
        await Expect.Status(await customer.Client.PostAsync($"/api/v1/orders/{second}/cancel", null), HttpStatusCode.OK);

        var all = await Expect.Json(await customer.Client.GetAsync("/api/v1/orders"));
        Assert.Equal(new[] { third, second, first }, all.GetProperty("items").EnumerateArray().Select(o => o.GetProperty("id").GetGuid()));
        var cancelled = await Expect.Json(await customer.Client.GetAsync("/api/v1/orders?status=cancelled"));
        Assert.Equal(second, Assert.Single(cancelled.GetProperty("items").EnumerateArray()).GetProperty("id").GetGuid());
        await Expect.ValidationError(await customer.Client.GetAsync("/api/v1/orders?status=lost"), "status");
        await Expect.ValidationError(await customer.Client.GetAsync("/api/v1/orders?pageSize=101"), "pageSize");

        var byUser = await Expect.Json(await admin.Client.GetAsync($"/api/v1/orders?userId={customer.Id}&status=pending_payment"));
        Assert.Equal(new[] { third, first }, byUser.GetProperty("items").EnumerateArray().Select(o => o.GetProperty("id").GetGuid()));
    }

    [Fact]
    public async Task Cancelling_releases_the_reservation_and_cannot_happen_twice()
    {
        var admin = await shop.AdminAsync();
        var customer = await shop.NewUserAsync();
        var product = await admin.CreateProductAsync(onHand: 4);
        var id = (await customer.PlaceOrderAsync((product, 3))).GetProperty("id").GetGuid();
        Assert.Equal(1, (await admin.InventoryAsync(product)).GetProperty("available").GetInt32());

        var cancelled = await Expect.Json(await customer.Client.PostAsJsonAsync($"/api/v1/orders/{id}/cancel", new { reason = "changed my mind" }));
        Assert.Equal("cancelled", cancelled.GetProperty("status").GetString());
        var history = cancelled.GetProperty("statusHistory").EnumerateArray().ToList();
        Assert.Equal(["pending_payment", "cancelled"], history.Select(h => h.GetProperty("status").GetString()));
        Assert.Equal("changed my mind", history[1].GetProperty("note").GetString());
        var stock = await admin.InventoryAsync(product);
        Assert.Equal(0, stock.GetProperty("reserved").GetInt32());
        Assert.Equal(4, stock.GetProperty("onHand").GetInt32());

        await Expect.Problem(await customer.Client.PostAsync($"/api/v1/orders/{id}/cancel", null), HttpStatusCode.Conflict);
        Assert.Equal(0, (await admin.InventoryAsync(product)).GetProperty("reserved").GetInt32());
    }

    [Fact]
    public async Task The_lifecycle_moves_stock_and_records_history_through_to_refund()
    {
        var admin = await shop.AdminAsync();
        var customer = await shop.NewUserAsync();
        var product = await admin.CreateProductAsync(onHand: 10);
        var id = (await customer.PlaceOrderAsync((product, 4))).GetProperty("id").GetGuid();

        await admin.MoveAsync(id, "paid");
        var sold = await admin.InventoryAsync(product);
        Assert.Equal(6, sold.GetProperty("onHand").GetInt32());
        Assert.Equal(0, sold.GetProperty("reserved").GetInt32());

        await Expect.ValidationError(await admin.Client.PatchAsJsonAsync($"/api/v1/orders/{id}/status", new { status = "shipped" }), "carrier");
        await Expect.ValidationError(await admin.Client.PatchAsJsonAsync($"/api/v1/orders/{id}/status", new { status = "shipped", carrier = "DHL" }), "trackingNumber");
        var shipped = await admin.MoveAsync(id, "shipped");
        Assert.Equal("DHL", shipped.GetProperty("carrier").GetString());

        var tracking = await Expect.Json(await customer.Client.GetAsync($"/api/v1/orders/{id}/tracking"));
        Assert.Equal("shipped", tracking.GetProperty("status").GetString());
        Assert.Equal("JD0146000012345", tracking.GetProperty("trackingNumber").GetString());
        Assert.Equal(3, tracking.GetProperty("statusHistory").GetArrayLength());

        await Expect.Problem(await customer.Client.PostAsync($"/api/v1/orders/{id}/cancel", null), HttpStatusCode.Conflict);
        await admin.MoveAsync(id, "delivered");
        var refunded = await admin.MoveAsync(id, "refunded");
        Assert.Equal(["pending_payment", "paid", "shipped", "delivered", "refunded"],
            refunded.GetProperty("statusHistory").EnumerateArray().Select(h => h.GetProperty("status").GetString()));
        Assert.Equal(6, (await admin.InventoryAsync(product)).GetProperty("onHand").GetInt32());
        await Expect.ValidationError(await admin.Client.PatchAsJsonAsync($"/api/v1/orders/{id}/status", new { status = "lost" }), "status");
    }

    [Fact]
    public async Task Cancelling_a_paid_order_puts_the_goods_back_on_the_shelf()
    {
        var admin = await shop.AdminAsync();
        var customer = await shop.NewUserAsync();
        var product = await admin.CreateProductAsync(onHand: 4);
        var id = (await customer.PlaceOrderAsync((product, 4))).GetProperty("id").GetGuid();
        await admin.MoveAsync(id, "paid");
        var sold = await admin.InventoryAsync(product); // the last units: all sold
        Assert.Equal((0, 0), (sold.GetProperty("onHand").GetInt32(), sold.GetProperty("reserved").GetInt32()));

        var cancelled = await Expect.Json(await customer.Client.PostAsync($"/api/v1/orders/{id}/cancel", null));
        Assert.Equal("cancelled", cancelled.GetProperty("status").GetString());
        var stock = await admin.InventoryAsync(product);
        Assert.Equal(4, stock.GetProperty("onHand").GetInt32());
        Assert.Equal(0, stock.GetProperty("reserved").GetInt32());
    }

    [Fact]
    public async Task Lines_naming_one_product_twice_become_one_line_and_reserve_their_sum()
    {
        var admin = await shop.AdminAsync();
        var customer = await shop.NewUserAsync();
        var product = await admin.CreateProductAsync(onHand: 5, price: 2.50m);

        var order = await customer.PlaceOrderAsync((product, 2), (product, 3));

        var line = Assert.Single(order.GetProperty("items").EnumerateArray());
        Assert.Equal((5, 12.50m), (line.GetProperty("quantity").GetInt32(), line.GetProperty("lineTotal").GetDecimal()));
        Assert.Equal(12.50m, order.GetProperty("total").GetDecimal());
        Assert.Equal(0, (await admin.InventoryAsync(product)).GetProperty("available").GetInt32());
        await Expect.Problem(await customer.PlaceAsync(OrderApi.Body((product, 1))), HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task A_move_made_from_a_stale_copy_of_the_order_is_409_and_stock_moves_once()
    {
        var admin = await shop.AdminAsync();
        var customer = await shop.NewUserAsync();
        var product = await admin.CreateProductAsync(onHand: 10);
        var id = (await customer.PlaceOrderAsync((product, 4))).GetProperty("id").GetGuid();
        // Two requests loaded the order while it was pending payment; the first one to save wins.
        await using var first = shop.Services.CreateAsyncScope();
        await using var second = shop.Services.CreateAsyncScope();
        var (winner, loser) = (first.ServiceProvider.GetRequiredService<OrderService>(), second.ServiceProvider.GetRequiredService<OrderService>());
        var (copy, stale) = (await winner.LoadAsync(id, CancellationToken.None), await loser.LoadAsync(id, CancellationToken.None));

        await winner.MoveAsync(copy, OrderStatus.Paid, Actor.System, "Paid.", CancellationToken.None);
        var refused = await Assert.ThrowsAsync<ConflictException>(() => loser.MoveAsync(stale, OrderStatus.Cancelled, Actor.System, "Cancelled.", CancellationToken.None));

        Assert.Equal("concurrent-change", refused.ProblemType);
        Assert.Contains("changed at the same moment", refused.Message, StringComparison.Ordinal);
        var order = await Expect.Json(await admin.Client.GetAsync($"/api/v1/orders/{id}"));
        Assert.Equal("paid", order.GetProperty("status").GetString());
        Assert.Equal(["pending_payment", "paid"], order.GetProperty("statusHistory").EnumerateArray().Select(h => h.GetProperty("status").GetString()));
        var stock = await admin.InventoryAsync(product);
        Assert.Equal((6, 0), (stock.GetProperty("onHand").GetInt32(), stock.GetProperty("reserved").GetInt32()));
    }

    [Fact]
    public async Task A_status_change_whose_reservation_is_missing_fails_and_changes_nothing()
    {
        var admin = await shop.AdminAsync();
        var customer = await shop.NewUserAsync();
        var product = await admin.CreateProductAsync(onHand: 10);
        var placed = await customer.PlaceOrderAsync((product, 3));
        var id = placed.GetProperty("id").GetGuid();
        // A state only a bug or an operator could create: one of the three reserved units is gone.
        var productLiteral = shop.Provider == "Postgres" ? $"'{product}'" : $"'{product.ToString().ToUpperInvariant()}'";
        Assert.Equal(1, await shop.ExecuteSqlAsync($"UPDATE inventory SET reserved = 2 WHERE product_id = {productLiteral}"));

        foreach (var target in new[] { OrderStatus.Paid, OrderStatus.Cancelled })
        {
            await using var scope = shop.Services.CreateAsyncScope();
            var orders = scope.ServiceProvider.GetRequiredService<OrderService>();
            var order = await orders.LoadAsync(id, CancellationToken.None);
            var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => orders.MoveAsync(order, target, Actor.System, null, CancellationToken.None));
            Assert.Contains(product.ToString(), failure.Message, StringComparison.Ordinal);
            Assert.Contains(placed.GetProperty("number").GetString()!, failure.Message, StringComparison.Ordinal);
        }

        var unchanged = await Expect.Json(await admin.Client.GetAsync($"/api/v1/orders/{id}"));
        Assert.Equal(("pending_payment", 1), (unchanged.GetProperty("status").GetString(), unchanged.GetProperty("statusHistory").GetArrayLength()));
        var stock = await admin.InventoryAsync(product);
        Assert.Equal((10, 2), (stock.GetProperty("onHand").GetInt32(), stock.GetProperty("reserved").GetInt32()));
    }

    private static readonly string[] StatusNames = ["pending_payment", "paid", "shipped", "delivered", "cancelled", "refunded"];

    public static TheoryData<string> States => new(StatusNames);

    [Theory]
    [MemberData(nameof(States))]
    public async Task Every_illegal_transition_is_409_and_changes_nothing(string from)
    {
        var legal = new Dictionary<string, string[]>
        {
            ["pending_payment"] = ["paid", "cancelled"],
            ["paid"] = ["shipped", "cancelled", "refunded"],
            ["shipped"] = ["delivered", "refunded"],
            ["delivered"] = ["refunded"],
            ["cancelled"] = [],
            ["refunded"] = [],
        };
        var path = new Dictionary<string, string[]>
        {
            ["pending_payment"] = [],
            ["paid"] = ["paid"],
            ["shipped"] = ["paid", "shipped"],
            ["delivered"] = ["paid", "shipped", "delivered"],
            ["cancelled"] = ["cancelled"],
            ["refunded"] = ["paid", "refunded"],
        };
        var admin = await shop.AdminAsync();
        var customer = await shop.NewUserAsync();
        var product = await admin.CreateProductAsync(onHand: 10);
        var id = (await customer.PlaceOrderAsync((product, 2))).GetProperty("id").GetGuid();
        foreach (var step in path[from])
        {
            await admin.MoveAsync(id, step);
        }

        var stockBefore = (await admin.InventoryAsync(product)).ToString();
        foreach (var target in StatusNames.Where(t => !legal[from].Contains(t)))
        {
            var problem = await admin.MoveAsync(id, target, HttpStatusCode.Conflict);
            Assert.EndsWith("illegal-transition", problem.GetProperty("type").GetString(), StringComparison.Ordinal);
        }

        var order = await Expect.Json(await admin.Client.GetAsync($"/api/v1/orders/{id}"));
        Assert.Equal(from, order.GetProperty("status").GetString());
        Assert.Equal(path[from].Length + 1, order.GetProperty("statusHistory").GetArrayLength());
        Assert.Equal(stockBefore, (await admin.InventoryAsync(product)).ToString());
    }

    [Fact]
    public async Task A_product_that_was_ordered_is_deactivated_instead_of_deleted()
    {
        var admin = await shop.AdminAsync();
        var customer = await shop.NewUserAsync();
        var product = await admin.CreateProductAsync(onHand: 5);
        var order = (await customer.PlaceOrderAsync((product, 1))).GetProperty("id").GetGuid();

        await Expect.Status(await admin.Client.DeleteAsync($"/api/v1/products/{product}"), HttpStatusCode.NoContent);

        await Expect.Problem(await customer.Client.GetAsync($"/api/v1/products/{product}"), HttpStatusCode.NotFound);
        Assert.False((await Expect.Json(await admin.Client.GetAsync($"/api/v1/products/{product}"))).GetProperty("isActive").GetBoolean());
        await Expect.Status(await customer.Client.GetAsync($"/api/v1/orders/{order}"), HttpStatusCode.OK);
        await Expect.ValidationError(await customer.PlaceAsync(OrderApi.Body((product, 1))), "items[0].productId");
    }
}

[Collection(SqliteCollection.Name)]
public sealed class OrderTestsOnSqlite(SqliteShop shop) : OrderTests(shop);

[Collection(PostgresCollection.Name), Trait("Category", "Postgres")]
public sealed class OrderTestsOnPostgres(PostgresShop shop) : OrderTests(shop);
