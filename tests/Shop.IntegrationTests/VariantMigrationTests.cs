using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Shop.Core.Catalog;
using Shop.Core.Data;
using Shop.Core.Orders;
using Shop.IntegrationTests.Infrastructure;

namespace Shop.IntegrationTests;

/// <summary>
/// The Variants migration on a database that holds a shop from before it: a product with stock and
/// stock history, and an order that reserved some of it. Each product becomes a product with one
/// variant (its own id, sku and price), and nothing is lost: stock, reservations, history, orders.
/// </summary>
public abstract class VariantMigrationTests(ShopFactory shop)
{
    private const string Variants = "_Variants";

    [Fact]
    public async Task A_shop_from_before_variants_upgrades_to_one_variant_per_product_and_priced_orders_and_loses_nothing()
    {
        await using var database = await shop.CreateScratchDatabaseAsync();
        var options = DatabaseSetup.Configure(new DbContextOptionsBuilder<ShopDbContext>(), Enum.Parse<DatabaseProvider>(shop.Provider),
            database.Settings["ConnectionStrings__Database"]);
        await using var db = new ShopDbContext((DbContextOptions<ShopDbContext>)options.Options);
        var migrator = db.GetService<IMigrator>();
        var all = db.Database.GetMigrations().ToList();
        var before = all[all.FindIndex(m => m.EndsWith(Variants, StringComparison.Ordinal)) - 1];
        await migrator.MigrateAsync(before);

        var (userId, productId, orderId, lineId, adjustmentId) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        var at = new DateTime(2026, 11, 30, 12, 0, 0, DateTimeKind.Utc);
        // image_urls: a text[] on PostgreSQL, JSON text on SQLite.
        var insertProduct = shop.Provider == "Postgres"
            ? "INSERT INTO products (id, sku, slug, name, description, price_minor, currency, image_urls, is_active, created_at, updated_at, version) VALUES ({0}, 'OLD-1', 'old-lamp', 'Old Lamp', 'From before variants.', 2599, 'USD', '{{}}', TRUE, {1}, {1}, 3)"
            : "INSERT INTO products (id, sku, slug, name, description, price_minor, currency, image_urls, is_active, created_at, updated_at, version) VALUES ({0}, 'OLD-1', 'old-lamp', 'Old Lamp', 'From before variants.', 2599, 'USD', '[]', TRUE, {1}, {1}, 3)";
        await db.Database.ExecuteSqlRawAsync("""
            INSERT INTO users (id, email, normalized_email, password_hash, full_name, role, is_active, created_at, updated_at)
            VALUES ({0}, 'old@example.com', 'OLD@EXAMPLE.COM', 'x', 'Old Customer', 'customer', TRUE, {1}, {1})
            """, userId, at);
        await db.Database.ExecuteSqlRawAsync(insertProduct, productId, at);
        await db.Database.ExecuteSqlRawAsync("""
            INSERT INTO inventory (product_id, on_hand, reserved, low_stock_threshold, updated_at) VALUES ({0}, 10, 2, 4, {1})
            """, productId, at);
        await db.Database.ExecuteSqlRawAsync("""
            INSERT INTO inventory_adjustments (id, product_id, delta, on_hand_after, reason, created_at) VALUES ({0}, {1}, 10, 10, 'first delivery', {2})
            """, adjustmentId, productId, at);
        await db.Database.ExecuteSqlRawAsync("""
            INSERT INTO orders (id, number, user_id, status, subtotal_minor, total_minor, currency, shipping_address_full_name, shipping_address_line1,
                shipping_address_city, shipping_address_postal_code, shipping_address_country, created_at, updated_at, version)
            VALUES ({0}, 'SH-OLD00001', {1}, 'pending_payment', 5198, 5198, 'USD', 'Old Customer', '1 Old Road', 'Oldtown', '12345', 'GB', {2}, {2}, 1)
            """, orderId, userId, at);
        await db.Database.ExecuteSqlRawAsync("""
            INSERT INTO order_lines (id, order_id, product_id, sku, name, unit_price_minor, quantity, line_total_minor)
            VALUES ({0}, {1}, {2}, 'OLD-1', 'Old Lamp', 2599, 2, 5198)
            """, lineId, orderId, productId);

        await migrator.MigrateAsync();

        var product = await db.Products.AsNoTracking().Include(p => p.Variants).ThenInclude(v => v.Inventory).SingleAsync(p => p.Id == productId);
        var variant = Assert.Single(product.Variants);
        Assert.Equal(productId, variant.Id);
        Assert.Equal(("OLD-1", 2599L, "USD", true), (variant.Sku, variant.PriceMinor, variant.Currency, variant.IsActive));
        // ProductsMaxPrice: the product's price range is its one variant's.
        Assert.Equal((2599L, 2599L), (product.PriceMinor, product.MaxPriceMinor));
        Assert.Empty(variant.OptionValues);
        Assert.Empty(product.Options);
        Assert.Equal((10, 2, 4), (variant.Inventory!.OnHand, variant.Inventory.Reserved, variant.Inventory.LowStockThreshold));
        var response = product.ToResponse();
        Assert.Equal((25.99m, 8), (response.Price, response.Stock.Available));
        var adjustment = await db.InventoryAdjustments.AsNoTracking().SingleAsync(a => a.Id == adjustmentId);
        Assert.Equal((productId, productId, 10, "first delivery"), (adjustment.ProductId, adjustment.VariantId, adjustment.Delta, adjustment.Reason));
        var line = await db.OrderLines.AsNoTracking().SingleAsync(l => l.Id == lineId);
        Assert.Equal((productId, productId, 2, 5198L), (line.ProductId, line.VariantId, line.Quantity, line.LineTotalMinor));
        Assert.Empty(line.OptionValues);
        Assert.Equal((0L, 0L), (line.DiscountMinor, line.TaxMinor));

        // Carts and pricing: an older order has no discount, shipping or tax, and its emails go to its customer.
        var order = await db.Orders.AsNoTracking().Include(o => o.Lines).Include(o => o.History).SingleAsync(o => o.Id == orderId);
        Assert.Equal((5198L, 0L, 0L, 0L, 5198L), (order.SubtotalMinor, order.DiscountTotalMinor, order.ShippingTotalMinor, order.TaxTotalMinor, order.TotalMinor));
        Assert.Equal(("old@example.com", null, null), (order.Email, order.DiscountCode, order.ShippingMethodId));
        Assert.Null(order.ToResponse().ShippingMethod);

        // The variant's stock is the one the order holds: releasing it through the new schema works.
        Assert.Equal(1, await db.Inventory.Where(i => i.VariantId == productId && i.Reserved >= 2)
            .ExecuteUpdateAsync(s => s.SetProperty(i => i.Reserved, i => i.Reserved - 2)));
    }
}

[Collection(SqliteCollection.Name)]
public sealed class VariantMigrationTestsOnSqlite(SqliteShop shop) : VariantMigrationTests(shop);

[Collection(PostgresCollection.Name), Trait("Category", "Postgres")]
public sealed class VariantMigrationTestsOnPostgres(PostgresShop shop) : VariantMigrationTests(shop);
