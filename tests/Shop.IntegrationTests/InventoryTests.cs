using System.Data.Common;
using System.Net;
using System.Net.Http.Json;
using Shop.IntegrationTests.Infrastructure;

namespace Shop.IntegrationTests;

public abstract class InventoryTests(ShopFactory shop)
{
    [Fact]
    public async Task Inventory_reports_on_hand_reserved_available_and_threshold()
    {
        var admin = await shop.AdminAsync();
        var id = await admin.CreateProductAsync();
        await admin.SetStockAsync(id, 40, lowStockThreshold: 8);

        var inventory = await admin.InventoryAsync(id);
        Assert.Equal(id, inventory.GetProperty("productId").GetGuid());
        Assert.Equal(40, inventory.GetProperty("onHand").GetInt32());
        Assert.Equal(0, inventory.GetProperty("reserved").GetInt32());
        Assert.Equal(40, inventory.GetProperty("available").GetInt32());
        Assert.Equal(8, inventory.GetProperty("lowStockThreshold").GetInt32());
        Assert.Equal(40, (await Expect.Json(await shop.Client().GetAsync($"/api/v1/products/{id}"))).GetProperty("stock").GetProperty("available").GetInt32());
        await Expect.Problem(await admin.Client.GetAsync($"/api/v1/products/{Guid.NewGuid()}/inventory"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Adjustments_change_stock_and_leave_an_audit_trail_with_who_when_delta_and_reason()
    {
        var admin = await shop.AdminAsync();
        var adminId = (await Expect.Json(await admin.Client.GetAsync("/api/v1/users/me"))).GetProperty("id").GetGuid();
        var id = await admin.CreateProductAsync();
        await admin.SetStockAsync(id, 10);

        var adjustment = await Expect.Json(await admin.Client.PostAsJsonAsync($"/api/v1/products/{id}/inventory/adjustments", new { delta = -3, reason = "damaged in transit" }), HttpStatusCode.Created);
        Assert.Equal(-3, adjustment.GetProperty("delta").GetInt32());
        Assert.Equal(7, adjustment.GetProperty("onHandAfter").GetInt32());
        // With the stock it left, in the fields GET .../inventory uses.
        Assert.Equal((7, 0, 7), (adjustment.GetProperty("onHand").GetInt32(), adjustment.GetProperty("reserved").GetInt32(), adjustment.GetProperty("available").GetInt32()));
        Assert.True(adjustment.TryGetProperty("lowStockThreshold", out _));
        Assert.Equal(adminId, adjustment.GetProperty("actorUserId").GetGuid());
        Assert.Equal("damaged in transit", adjustment.GetProperty("reason").GetString());
        Assert.Equal(7, (await admin.InventoryAsync(id)).GetProperty("onHand").GetInt32());

        var trail = await Expect.Json(await admin.Client.GetAsync($"/api/v1/products/{id}/inventory/adjustments"));
        var entries = trail.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(2, entries.Count); // the set to 10 (+10), then -3
        Assert.Equal(new[] { -3, 10 }, entries.Select(e => e.GetProperty("delta").GetInt32()));
        Assert.All(entries, e => Assert.True(e.TryGetProperty("createdAt", out _)));
    }

    [Theory]
    [InlineData("{\"delta\": 0, \"reason\": \"x\"}", "delta")]
    [InlineData("{\"reason\": \"x\"}", "delta")]
    [InlineData("{\"delta\": 5}", "reason")]
    [InlineData("{\"delta\": 5, \"reason\": \"  \"}", "reason")]
    public async Task Bad_adjustments_are_400(string body, string field)
    {
        var admin = await shop.AdminAsync();
        var id = await admin.CreateProductAsync(onHand: 2);
        await Expect.ValidationError(await admin.Client.PostAsync($"/api/v1/products/{id}/inventory/adjustments", new StringContent(body, System.Text.Encoding.UTF8, "application/json")), field);
        Assert.Equal(2, (await admin.InventoryAsync(id)).GetProperty("onHand").GetInt32());
    }

    [Fact]
    public async Task Stock_can_never_go_below_zero_or_below_reserved()
    {
        var admin = await shop.AdminAsync();
        var id = await admin.CreateProductAsync(onHand: 4);
        await Expect.Problem(await admin.Client.PostAsJsonAsync($"/api/v1/products/{id}/inventory/adjustments", new { delta = -5, reason = "too many" }), HttpStatusCode.Conflict);
        await Expect.ValidationError(await admin.Client.PutAsJsonAsync($"/api/v1/products/{id}/inventory", new { onHand = -1 }), "onHand");
        await Expect.ValidationError(await admin.Client.PutAsJsonAsync($"/api/v1/products/{id}/inventory", new { lowStockThreshold = 3 }), "onHand");

        // Three units reserved, as pending orders would hold them; set directly so that no order is involved.
        await ExecuteAsync($"UPDATE inventory SET reserved = 3 WHERE product_id = {ProductIdLiteral(id)}");
        await Expect.Problem(await admin.Client.PutAsJsonAsync($"/api/v1/products/{id}/inventory", new { onHand = 2 }), HttpStatusCode.Conflict);
        await Expect.Problem(await admin.Client.PostAsJsonAsync($"/api/v1/products/{id}/inventory/adjustments", new { delta = -2, reason = "x" }), HttpStatusCode.Conflict);
        var inventory = await admin.InventoryAsync(id);
        Assert.Equal(4, inventory.GetProperty("onHand").GetInt32());
        Assert.Equal(1, inventory.GetProperty("available").GetInt32());
        await Expect.Status(await admin.Client.PutAsJsonAsync($"/api/v1/products/{id}/inventory", new { onHand = 3 }), HttpStatusCode.OK);
        Assert.Equal(0, (await admin.InventoryAsync(id)).GetProperty("available").GetInt32());
        await Expect.Status(await admin.Client.GetAsync($"/api/v1/products/{id}"), HttpStatusCode.OK);
    }

    [Theory]
    [InlineData("UPDATE inventory SET reserved = on_hand + 1 WHERE product_id = {0}")]
    [InlineData("UPDATE inventory SET on_hand = -1, reserved = 0 WHERE product_id = {0}")]
    [InlineData("UPDATE inventory SET reserved = -1 WHERE product_id = {0}")]
    public async Task The_database_itself_refuses_oversold_rows(string sql)
    {
        var admin = await shop.AdminAsync();
        var id = await admin.CreateProductAsync(onHand: 5);
        await Assert.ThrowsAnyAsync<DbException>(() => ExecuteAsync(string.Format(sql, ProductIdLiteral(id))));
        Assert.Equal(5, (await admin.InventoryAsync(id)).GetProperty("onHand").GetInt32());
    }

    [Fact]
    public async Task Concurrent_adjustments_all_count_and_never_overdraw()
    {
        var admin = await shop.AdminAsync();
        var id = await admin.CreateProductAsync(onHand: 5);

        // 12 concurrent removals of one unit from 5: exactly 5 succeed, stock ends at 0.
        var removals = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ =>
            admin.Client.PostAsJsonAsync($"/api/v1/products/{id}/inventory/adjustments", new { delta = -1, reason = "sold offline" })));
        Assert.Equal(5, removals.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.Equal(7, removals.Count(r => r.StatusCode == HttpStatusCode.Conflict));
        Assert.Equal(0, (await admin.InventoryAsync(id)).GetProperty("onHand").GetInt32());

        // 10 concurrent additions of 3: none is lost.
        var additions = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ =>
            admin.Client.PostAsJsonAsync($"/api/v1/products/{id}/inventory/adjustments", new { delta = 3, reason = "restock" })));
        Assert.All(additions, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        Assert.Equal(30, (await admin.InventoryAsync(id)).GetProperty("onHand").GetInt32());

        // The trail adds up: every onHandAfter is distinct and the deltas sum to the final stock.
        var trail = await Expect.Json(await admin.Client.GetAsync($"/api/v1/products/{id}/inventory/adjustments?pageSize=100"));
        var entries = trail.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(30, entries.Sum(e => e.GetProperty("delta").GetInt32()));
        var restocks = entries.Where(e => e.GetProperty("reason").GetString() == "restock").Select(e => e.GetProperty("onHandAfter").GetInt32()).Order().ToList();
        Assert.Equal(Enumerable.Range(1, 10).Select(i => i * 3), restocks);
    }

    private string ProductIdLiteral(Guid id) => shop.Provider == "Postgres" ? $"'{id}'" : $"'{id.ToString().ToUpperInvariant()}'";

    private async Task ExecuteAsync(string sql) => Assert.Equal(1, await shop.ExecuteSqlAsync(sql));
}

[Collection(SqliteCollection.Name)]
public sealed class InventoryTestsOnSqlite(SqliteShop shop) : InventoryTests(shop);

[Collection(PostgresCollection.Name), Trait("Category", "Postgres")]
public sealed class InventoryTestsOnPostgres(PostgresShop shop) : InventoryTests(shop);
