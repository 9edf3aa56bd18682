using Microsoft.Extensions.Options;
using Shop.Core.Caching;
using Shop.Core.Common;
using Shop.Core.Data;
using Shop.Core.Messaging;
using ZiggyCreatures.Caching.Fusion;

namespace Shop.Core.Catalog;

/// <summary>
/// Product detail (by id and by slug) and the product list pages customers browse, cached in memory
/// and, with Redis, shared by every process. Entries carry tags, and every write that changes what
/// they show (the product, its stock, an order reserving or releasing it, a category moving) evicts them
/// once it commits (<see cref="CacheInvalidation"/>); the durations only bound memory. What is not
/// found is not cached, so a product created a moment later is served at once. Loads run on a
/// DbContext of their own (<see cref="CacheQueries"/>), on the read replica when there is one (<see cref="ICatalogReads"/>). <c>Catalog:CacheReads=false</c> bypasses it.
/// </summary>
public sealed class ProductCache(IFusionCache cache, ICatalogReads reads, IOptions<CatalogOptions> options)
{
    private static readonly TimeSpan DetailDuration = TimeSpan.FromMinutes(10);

    public async ValueTask<ProductResponse?> GetAsync(string idOrSlug, Func<ShopDbContext, CancellationToken, Task<ProductResponse?>> load, CancellationToken cancellationToken)
    {
        var byId = Guid.TryParse(idOrSlug, out var id);
        var written = byId ? CacheKeys.Tags.Product(id) : CatalogWrites.AnyProduct;
        if (!options.Value.CacheReads)
        {
            return await reads.QueryAsync(written, load, cancellationToken);
        }

        var key = byId ? CacheKeys.Product(id) : CacheKeys.ProductBySlug(idOrSlug);
        var missed = false;
        var found = await cache.GetOrSetAsync<ProductResponse?>(key, async (context, ct) =>
        {
            missed = true;
            var product = await reads.QueryAsync(written, load, ct);
            if (product is null)
            {
                context.Options.SkipMemoryCacheWrite = true;
                context.Options.SkipDistributedCacheWrite = true;
            }
            else
            {
                context.Tags = [CacheKeys.Tags.Product(product.Id)];
            }

            return product;
        }, o => o.SetDuration(DetailDuration), token: cancellationToken);
        Count("product", missed);
        return found;
    }

    public ValueTask<PagedResult<ProductResponse>> GetPageAsync(
        ProductListQuery query, Func<ShopDbContext, CancellationToken, Task<PagedResult<ProductResponse>>> load, CancellationToken cancellationToken) =>
        GetListingAsync(CacheKeys.ProductPage(query), "product_page", load, page => 1 + page.Items.Count, cancellationToken);

    /// <summary>Facets of a filter: cached and evicted exactly like the list pages (the same tag).</summary>
    public ValueTask<ProductFacetsResponse> GetFacetsAsync(
        ProductFacetsQuery query, Func<ShopDbContext, CancellationToken, Task<ProductFacetsResponse>> load, CancellationToken cancellationToken) =>
        GetListingAsync(CacheKeys.ProductFacets(query), "product_facets", load,
            facets => 1 + (facets.Categories.Count + facets.Options.Sum(o => o.Values.Count)) / 10, cancellationToken);

    /// <summary>What depends on many products (list pages, facets): tagged with <c>product-lists</c>, which any product write evicts.</summary>
    /// <param name="size">The entry's weight in the memory cache, whose bound is in products.</param>
    private async ValueTask<T> GetListingAsync<T>(string key, string entry, Func<ShopDbContext, CancellationToken, Task<T>> load, Func<T, long> size,
        CancellationToken cancellationToken)
    {
        if (!options.Value.CacheReads)
        {
            return await reads.QueryAsync(CacheKeys.Tags.ProductLists, load, cancellationToken);
        }

        var missed = false;
        var found = await cache.GetOrSetAsync<T>(key, async (context, ct) =>
        {
            missed = true;
            var loaded = await reads.QueryAsync(CacheKeys.Tags.ProductLists, load, ct);
            context.Options.Size = size(loaded);
            return loaded;
        }, o => o.SetDuration(options.Value.ListCacheDuration), [CacheKeys.Tags.ProductLists], cancellationToken);
        Count(entry, missed);
        return found;
    }

    // A lookup another request's factory answered (stampede protection) counts as a hit: this one did not query.
    private static void Count(string entry, bool missed) =>
        ShopMetrics.CatalogCacheLookups.Add(1, new("entry", entry), new("result", missed ? "miss" : "hit"));
}
