using Microsoft.EntityFrameworkCore;
using Shop.Core.Caching;
using Shop.Core.Common;
using Shop.Core.Data;
using Wolverine.EntityFrameworkCore;

namespace Shop.Core.Catalog;

/// <summary>The stock row of one variant of one product.</summary>
public readonly record struct StockKey(Guid ProductId, Guid VariantId);

/// <summary>
/// On-hand stock of each variant, changed only by conditional UPDATEs that the database evaluates
/// atomically, each change recorded with who, when, how much and why.
/// </summary>
public sealed class InventoryService(ShopDbContext db, IDbContextOutbox<ShopDbContext> outbox, TimeProvider clock)
{
    public const string SetReason = "stock set";

    /// <summary>
    /// The stock a request names: a variant of the product (404 unless it is the product's), or,
    /// given none, the product's only variant (409 <c>variant-required</c> when it has several).
    /// </summary>
    public async Task<StockKey> ResolveAsync(Guid productId, Guid? variantId, CancellationToken cancellationToken)
    {
        if (variantId is { } id)
        {
            return await db.Variants.AnyAsync(v => v.Id == id && v.ProductId == productId, cancellationToken)
                ? new StockKey(productId, id)
                : throw new NotFoundException("Variant not found.");
        }

        var variants = await db.Variants.Where(v => v.ProductId == productId).Select(v => v.Id).Take(2).ToListAsync(cancellationToken);
        return variants switch
        {
            [var only] => new StockKey(productId, only),
            [] => throw ProductNotFound(),
            _ => throw new ConflictException("This product has several variants, each with its own stock: use /products/{id}/variants/{variantId}/inventory.", "variant-required"),
        };
    }

    public async Task<InventoryResponse> GetAsync(StockKey key, CancellationToken cancellationToken) =>
        (await Rows(key).AsNoTracking().SingleOrDefaultAsync(cancellationToken))?.ToResponse()
        ?? throw ProductNotFound();

    /// <summary>Sets on-hand stock (and optionally the low-stock threshold); below what is reserved is a 409.</summary>
    public async Task<InventoryResponse> SetAsync(StockKey key, SetInventoryRequest request, Guid actorId, CancellationToken cancellationToken)
    {
        var onHand = request.OnHand!.Value;
        var now = clock.GetUtcNow().UtcDateTime;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        db.Invalidates(CacheKeys.Tags.Products(key.ProductId));

        // Touch the row first: from here to commit it is ours (a row lock on PostgreSQL, the write
        // lock on SQLite), so the value read next is the one we replace, and the delta is exact.
        if (await Rows(key).ExecuteUpdateAsync(s => s.SetProperty(i => i.UpdatedAt, now), cancellationToken) == 0)
        {
            throw ProductNotFound();
        }

        var before = await Rows(key).AsNoTracking().SingleAsync(cancellationToken);
        if (onHand < before.Reserved)
        {
            throw new ConflictException($"onHand cannot be set to {onHand}: {before.Reserved} units are reserved by open orders.", "below-reserved");
        }

        var threshold = request.LowStockThreshold ?? before.LowStockThreshold;
        await Rows(key).ExecuteUpdateAsync(s => s
            .SetProperty(i => i.OnHand, onHand)
            .SetProperty(i => i.LowStockThreshold, threshold), cancellationToken);
        if (onHand != before.OnHand)
        {
            Record(key, onHand - before.OnHand, onHand, SetReason, actorId, now);
            await LowStock.PublishIfCrossedAsync(db, outbox, key, before.OnHand - onHand, now, cancellationToken);
        }

        await outbox.SaveChangesAndFlushMessagesAsync(cancellationToken);
        return new InventoryResponse(key.ProductId, key.VariantId, onHand, before.Reserved, onHand - before.Reserved, threshold);
    }

    /// <summary>Adds <c>delta</c> to on-hand stock in one conditional statement; a result below what is reserved is a 409.</summary>
    public async Task<InventoryAdjustedResponse> AdjustAsync(StockKey key, AdjustInventoryRequest request, Guid actorId, CancellationToken cancellationToken)
    {
        var delta = request.Delta!.Value;
        var now = clock.GetUtcNow().UtcDateTime;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        db.Invalidates(CacheKeys.Tags.Products(key.ProductId));

        var changed = await Rows(key)
            .Where(i => i.OnHand + delta >= i.Reserved && i.OnHand + delta <= CatalogLimits.MaxStock)
            .ExecuteUpdateAsync(s => s.SetProperty(i => i.OnHand, i => i.OnHand + delta).SetProperty(i => i.UpdatedAt, now), cancellationToken);
        if (changed == 0)
        {
            var current = await Rows(key).AsNoTracking().SingleOrDefaultAsync(cancellationToken) ?? throw ProductNotFound();
            throw new ConflictException(
                $"Adjusting by {delta} would leave {current.OnHand + (long)delta} on hand with {current.Reserved} reserved.", "insufficient-stock");
        }

        // Still inside our transaction, the row holds our write: these are the values we produced.
        var after = await Rows(key).Select(i => new { i.OnHand, i.Reserved, i.LowStockThreshold }).SingleAsync(cancellationToken);
        var adjustment = Record(key, delta, after.OnHand, request.Reason.Trim(), actorId, now);
        await LowStock.PublishIfCrossedAsync(db, outbox, key, -delta, now, cancellationToken);
        await outbox.SaveChangesAndFlushMessagesAsync(cancellationToken);
        return new InventoryAdjustedResponse(adjustment.Id, key.ProductId, key.VariantId, delta, after.OnHand, adjustment.Reason, adjustment.ActorUserId, adjustment.CreatedAt,
            after.OnHand, after.Reserved, after.OnHand - after.Reserved, after.LowStockThreshold);
    }

    public async Task<PagedResult<InventoryAdjustmentResponse>> ListAdjustmentsAsync(StockKey key, PageQuery paging, CancellationToken cancellationToken)
    {
        if (!await Rows(key).AnyAsync(cancellationToken))
        {
            throw ProductNotFound();
        }

        return await db.InventoryAdjustments.AsNoTracking().Where(a => a.VariantId == key.VariantId)
            .PageAsync(q => q.OrderByDescending(a => a.CreatedAt).ThenByDescending(a => a.Id), paging, a => a.ToResponse(), cancellationToken);
    }

    private IQueryable<Inventory> Rows(StockKey key) => db.Inventory.Where(i => i.VariantId == key.VariantId);

    private InventoryAdjustment Record(StockKey key, int delta, int onHandAfter, string reason, Guid actorId, DateTime now)
    {
        var adjustment = new InventoryAdjustment
        {
            ProductId = key.ProductId,
            VariantId = key.VariantId,
            Delta = delta,
            OnHandAfter = onHandAfter,
            Reason = reason,
            ActorUserId = actorId,
            CreatedAt = now,
        };
        db.InventoryAdjustments.Add(adjustment);
        return adjustment;
    }

    private static NotFoundException ProductNotFound() => new("Product not found.");
}
