using Microsoft.EntityFrameworkCore;
using Shop.Core.Data;
using Shop.Core.Events;
using Wolverine;

namespace Shop.Core.Catalog;

public static class LowStock
{
    /// <summary>
    /// After a change that lowered a product's available stock by <paramref name="decrease"/>
    /// (inside the transaction that made it, so the row read is the one just written): when
    /// available stock went from above the threshold to at or below it, publish inventory.low_stock.
    /// </summary>
    public static async Task PublishIfCrossedAsync(ShopDbContext db, IMessageBus bus, Guid productId, int decrease, DateTime now, CancellationToken cancellationToken)
    {
        var row = await db.Inventory.AsNoTracking().Where(i => i.ProductId == productId)
            .Select(i => new StockRow(i.OnHand, i.Reserved, i.LowStockThreshold))
            .SingleAsync(cancellationToken);
        if (row.Crossed(decrease))
        {
            var product = await db.Products.AsNoTracking().Where(p => p.Id == productId).Select(p => new { p.Sku, p.Name }).SingleAsync(cancellationToken);
            await PublishAsync(bus, productId, product.Sku, product.Name, row, now);
        }
    }

    /// <summary>The same, from the row the change returned and the product the caller holds: no query.</summary>
    public static async Task PublishIfCrossedAsync(IMessageBus bus, Product product, StockRow row, int decrease, DateTime now)
    {
        if (row.Crossed(decrease))
        {
            await PublishAsync(bus, product.Id, product.Sku, product.Name, row, now);
        }
    }

    private static ValueTask PublishAsync(IMessageBus bus, Guid productId, string sku, string name, StockRow row, DateTime now) =>
        bus.PublishAsync(new InventoryLowStock(Guid.CreateVersion7(), now,
            new InventoryLowStockData(productId, sku, name, row.OnHand, row.Reserved, row.Available, row.LowStockThreshold)));
}

/// <summary>A product's stock as a change left it.</summary>
public sealed record StockRow(int OnHand, int Reserved, int LowStockThreshold)
{
    public int Available => OnHand - Reserved;

    /// <summary>Available stock went from above the threshold to at or below it with this decrease.</summary>
    public bool Crossed(int decrease) => Available <= LowStockThreshold && Available + decrease > LowStockThreshold;
}
