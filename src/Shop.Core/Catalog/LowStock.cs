using Microsoft.EntityFrameworkCore;
using Shop.Core.Data;
using Shop.Core.Events;
using Wolverine;

namespace Shop.Core.Catalog;

public static class LowStock
{
    /// <summary>
    /// After a change that lowered a variant's available stock by <paramref name="decrease"/>
    /// (inside the transaction that made it, so the row read is the one just written): when
    /// available stock went from above the threshold to at or below it, publish inventory.low_stock.
    /// </summary>
    public static async Task PublishIfCrossedAsync(ShopDbContext db, IMessageBus bus, StockKey key, int decrease, DateTime now, CancellationToken cancellationToken)
    {
        var row = await db.Inventory.AsNoTracking().Where(i => i.VariantId == key.VariantId)
            .Select(i => new StockRow(i.OnHand, i.Reserved, i.LowStockThreshold))
            .SingleAsync(cancellationToken);
        if (row.Crossed(decrease))
        {
            var variant = await db.Variants.AsNoTracking().Where(v => v.Id == key.VariantId)
                .Join(db.Products, v => v.ProductId, p => p.Id, (v, p) => new { v.Sku, p.Name, v.OptionValues })
                .SingleAsync(cancellationToken);
            await PublishAsync(bus, key, variant.Sku, variant.Name, variant.OptionValues, row, now);
        }
    }

    /// <summary>The same, from the row the change returned and the variant the caller holds: no query.</summary>
    public static async Task PublishIfCrossedAsync(IMessageBus bus, string productName, ProductVariant variant, StockRow row, int decrease, DateTime now)
    {
        if (row.Crossed(decrease))
        {
            await PublishAsync(bus, new StockKey(variant.ProductId, variant.Id), variant.Sku, productName, variant.OptionValues, row, now);
        }
    }

    private static ValueTask PublishAsync(IMessageBus bus, StockKey key, string sku, string name, IReadOnlyDictionary<string, string> optionValues, StockRow row, DateTime now) =>
        bus.PublishAsync(new InventoryLowStock(Guid.CreateVersion7(), now,
            new InventoryLowStockData(key.ProductId, sku, name, row.OnHand, row.Reserved, row.Available, row.LowStockThreshold, key.VariantId, optionValues)));
}

/// <summary>A variant's stock as a change left it.</summary>
public sealed record StockRow(int OnHand, int Reserved, int LowStockThreshold)
{
    public int Available => OnHand - Reserved;

    /// <summary>Available stock went from above the threshold to at or below it with this decrease.</summary>
    public bool Crossed(int decrease) => Available <= LowStockThreshold && Available + decrease > LowStockThreshold;
}
