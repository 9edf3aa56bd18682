using Microsoft.EntityFrameworkCore;
using Shop.Core.Caching;
using Shop.Core.Common;
using Shop.Core.Data;
using Wolverine.EntityFrameworkCore;

namespace Shop.Core.Catalog;

/// <summary>
/// On-hand stock, changed only by conditional UPDATEs that the database evaluates atomically,
/// each change recorded with who, when, how much and why.
/// </summary>
public sealed class InventoryService(ShopDbContext db, IDbContextOutbox<ShopDbContext> outbox, TimeProvider clock)
{
    public const string SetReason = "stock set";

    public async Task<InventoryResponse> GetAsync(Guid productId, CancellationToken cancellationToken) =>
        (await db.Inventory.AsNoTracking().SingleOrDefaultAsync(i => i.ProductId == productId, cancellationToken))?.ToResponse()
        ?? throw ProductNotFound();

    /// <summary>Sets on-hand stock (and optionally the low-stock threshold); below what is reserved is a 409.</summary>
    public async Task<InventoryResponse> SetAsync(Guid productId, SetInventoryRequest request, Guid actorId, CancellationToken cancellationToken)
    {
        var onHand = request.OnHand!.Value;
        var now = clock.GetUtcNow().UtcDateTime;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        db.Invalidates(CacheKeys.Tags.Products(productId));

        // Touch the row first: from here to commit it is ours (a row lock on PostgreSQL, the write
        // lock on SQLite), so the value read next is the one we replace, and the delta is exact.
        if (await Rows(productId).ExecuteUpdateAsync(s => s.SetProperty(i => i.UpdatedAt, now), cancellationToken) == 0)
        {
            throw ProductNotFound();
        }

        var before = await Rows(productId).AsNoTracking().SingleAsync(cancellationToken);
        if (onHand < before.Reserved)
        {
            throw new ConflictException($"onHand cannot be set to {onHand}: {before.Reserved} units are reserved by open orders.", "below-reserved");
        }

        var threshold = request.LowStockThreshold ?? before.LowStockThreshold;
        await Rows(productId).ExecuteUpdateAsync(s => s
            .SetProperty(i => i.OnHand, onHand)
            .SetProperty(i => i.LowStockThreshold, threshold), cancellationToken);
        if (onHand != before.OnHand)
        {
            Record(productId, onHand - before.OnHand, onHand, SetReason, actorId, now);
            await LowStock.PublishIfCrossedAsync(db, outbox, productId, before.OnHand - onHand, now, cancellationToken);
        }

        await outbox.SaveChangesAndFlushMessagesAsync(cancellationToken);
        return new InventoryResponse(productId, onHand, before.Reserved, onHand - before.Reserved, threshold);
    }

    /// <summary>Adds <c>delta</c> to on-hand stock in one conditional statement; a result below what is reserved is a 409.</summary>
    public async Task<InventoryAdjustedResponse> AdjustAsync(Guid productId, AdjustInventoryRequest request, Guid actorId, CancellationToken cancellationToken)
    {
        var delta = request.Delta!.Value;
        var now = clock.GetUtcNow().UtcDateTime;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        db.Invalidates(CacheKeys.Tags.Products(productId));

        var changed = await Rows(productId)
            .Where(i => i.OnHand + delta >= i.Reserved && i.OnHand + delta <= CatalogLimits.MaxStock)
            .ExecuteUpdateAsync(s => s.SetProperty(i => i.OnHand, i => i.OnHand + delta).SetProperty(i => i.UpdatedAt, now), cancellationToken);
        if (changed == 0)
        {
            var current = await Rows(productId).AsNoTracking().SingleOrDefaultAsync(cancellationToken) ?? throw ProductNotFound();
            throw new ConflictException(
                $"Adjusting by {delta} would leave {current.OnHand + (long)delta} on hand with {current.Reserved} reserved.", "insufficient-stock");
        }

        // Still inside our transaction, the row holds our write: these are the values we produced.
        var after = await Rows(productId).Select(i => new { i.OnHand, i.Reserved, i.LowStockThreshold }).SingleAsync(cancellationToken);
        var adjustment = Record(productId, delta, after.OnHand, request.Reason.Trim(), actorId, now);
        await LowStock.PublishIfCrossedAsync(db, outbox, productId, -delta, now, cancellationToken);
        await outbox.SaveChangesAndFlushMessagesAsync(cancellationToken);
        return new InventoryAdjustedResponse(adjustment.Id, productId, delta, after.OnHand, adjustment.Reason, adjustment.ActorUserId, adjustment.CreatedAt,
            after.OnHand, after.Reserved, after.OnHand - after.Reserved, after.LowStockThreshold);
    }

    public async Task<PagedResult<InventoryAdjustmentResponse>> ListAdjustmentsAsync(Guid productId, PageQuery paging, CancellationToken cancellationToken)
    {
        if (!await Rows(productId).AnyAsync(cancellationToken))
        {
            throw ProductNotFound();
        }

        return await db.InventoryAdjustments.AsNoTracking().Where(a => a.ProductId == productId)
            .PageAsync(q => q.OrderByDescending(a => a.CreatedAt).ThenByDescending(a => a.Id), paging, a => a.ToResponse(), cancellationToken);
    }

    private IQueryable<Inventory> Rows(Guid productId) => db.Inventory.Where(i => i.ProductId == productId);

    private InventoryAdjustment Record(Guid productId, int delta, int onHandAfter, string reason, Guid actorId, DateTime now)
    {
        var adjustment = new InventoryAdjustment
        {
            ProductId = productId,
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
