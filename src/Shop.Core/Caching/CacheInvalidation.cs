using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Shop.Core.Data;
using ZiggyCreatures.Caching.Fusion;

namespace Shop.Core.Caching;

/// <summary>
/// Evicts the cache entries a unit of work made stale, once its transaction has committed and not
/// before: evicting earlier would let a concurrent read cache the old row again until the entry
/// expires. A service names what it changes with <see cref="ShopDbContext.Invalidates"/>; this
/// interceptor removes those tags when the transaction commits (or, for a save outside an explicit
/// transaction, when the save has), and forgets them on rollback. FusionCache removes them from this
/// process at once, and from every other process (API or worker) through the Redis backplane.
/// </summary>
public sealed class CacheInvalidation(IFusionCache cache, CatalogWrites writes) : IDbTransactionInterceptor, ISaveChangesInterceptor
{
    public async Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default) =>
        await EvictAsync(eventData.Context, cancellationToken);

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) =>
        EvictAsync(eventData.Context, CancellationToken.None).AsTask().GetAwaiter().GetResult();

    public async ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        if (eventData.Context?.Database.CurrentTransaction is null)
        {
            await EvictAsync(eventData.Context, cancellationToken);
        }

        return result;
    }

    public Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        (eventData.Context as ShopDbContext)?.TakeInvalidatedTags();
        return Task.CompletedTask;
    }

    private async ValueTask EvictAsync(DbContext? context, CancellationToken cancellationToken)
    {
        if (context is ShopDbContext db && db.TakeInvalidatedTags() is { Count: > 0 } tags)
        {
            // Eviction must not be cancelled half-way by the request ending: the write is committed.
            _ = cancellationToken;
            writes.Note(tags);
            await cache.RemoveByTagAsync(tags, token: CancellationToken.None);
        }
    }
}
