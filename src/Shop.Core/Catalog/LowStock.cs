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
            .Select(i => new { i.OnHand, i.Reserved, i.LowStockThreshold })
            .SingleAsync(cancellationToken);
        var after = row.OnHand - row.Reserved;
        if (after <= row.LowStockThreshold && after + decrease > row.LowStockThreshold)
        {
            var product = await db.Products.AsNoTracking().Where(p => p.Id == productId).Select(p => new { p.Sku, p.Name }).SingleAsync(cancellationToken);
            await bus.PublishAsync(new InventoryLowStock(Guid.CreateVersion7(), now,
                new InventoryLowStockData(productId, product.Sku, product.Name, row.OnHand, row.Reserved, after, row.LowStockThreshold)));
        }
    }
}
