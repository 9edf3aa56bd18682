using System.Collections.Concurrent;
using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.Extensions.DependencyInjection;
using Shop.Core.Caching;
using Shop.Core.Common;
using Shop.Core.Data;

namespace Shop.Core.Catalog;

/// <summary>
/// Products as they are read: customers' reads through <see cref="ProductCache"/>, admins' fresh. A
/// singleton: a read served from the cache borrows no DbContext, and a query runs on a DbContext of
/// its own (<see cref="CacheQueries"/>).
/// </summary>
public sealed class ProductCatalog(ProductCache cache, CategoryTree tree, IServiceScopeFactory scopes)
{
    /// <summary>A page of products; what customers browse is cached (<see cref="ProductCache"/>), what admins see is read fresh.</summary>
    public async Task<PagedResult<ProductResponse>> ListAsync(ProductListQuery query, bool isAdmin, CancellationToken cancellationToken) =>
        isAdmin
            ? await scopes.QueryAsync((reads, ct) => QueryAsync(reads, query, isAdmin, ct), cancellationToken)
            : await cache.GetPageAsync(query, (reads, ct) => QueryAsync(reads, query, isAdmin: false, ct), cancellationToken);

    private async Task<PagedResult<ProductResponse>> QueryAsync(ShopDbContext reads, ProductListQuery query, bool isAdmin, CancellationToken cancellationToken)
    {
        var products = await FilterAsync(reads, query.Filter, isAdmin, cancellationToken);
        var sort = query.Sort ?? ProductSorts.Default;
        var estimate = await TotalCount.EstimateFirstAsync(products, cancellationToken);
        if (estimate <= FewMatches && await FromMatchIdsAsync(reads, WithinPriceRange(products, query.Filter), sort, query.Paging, estimate.Value, cancellationToken) is { } few)
        {
            return few;
        }

        return await products.PageAsync(
            (filtered, paging) =>
            {
                var ids = PageIds(WithinPriceRange(filtered, query.Filter), query.Filter, sort, paging);
                return WithVariants(Sort(reads.Products.AsNoTracking().Where(p => ids.Contains(p.Id)), sort));
            },
            query.Paging, p => p.ToResponse(), cancellationToken, () => TotalCount.CountAsync(products, estimate, cancellationToken));
    }

    /// <summary>Below this estimate of a large table's matches a list reads their ids first (<see cref="FromMatchIdsAsync"/>).</summary>
    private const int FewMatches = TotalCount.ExactLimit / 10;

    /// <summary>
    /// A page when PostgreSQL expects few matches in a large table (a narrow search: "wool chair" at a million
    /// products), where it reads every match anyway, for the page (a bitmap of the trigram index, then a sort)
    /// and again for the exact total: the matches' ids are read once, in order (at most
    /// <see cref="TotalCount.ExactLimit"/> + 1 of them, should the estimate be far off), and give both; the
    /// page's products follow by id. Null when more than <see cref="TotalCount.ExactLimit"/> match and the page
    /// lies beyond the ids read.
    /// </summary>
    private static async Task<PagedResult<ProductResponse>?> FromMatchIdsAsync(
        ShopDbContext reads, IQueryable<Product> ranged, string sort, PageQuery paging, double estimate, CancellationToken cancellationToken)
    {
        var ids = await Sort(ranged, sort).Select(p => p.Id).Take(TotalCount.ExactLimit + 1).ToListAsync(cancellationToken);
        var beyondLimit = ids.Count > TotalCount.ExactLimit;
        if (beyondLimit && paging.Skip + paging.Size > ids.Count)
        {
            return null;
        }

        var pageIds = ids.Skip(paging.Skip).Take(paging.Size).ToList();
        var rows = pageIds.Count == 0
            ? []
            : await WithVariants(Sort(reads.Products.AsNoTracking().Where(p => pageIds.Contains(p.Id)), sort)).ToListAsync(cancellationToken);
        return PagedResult.Create(rows.ConvertAll(p => p.ToResponse()), paging, beyondLimit ? TotalCount.BeyondLimit(estimate) : ids.Count);
    }

    /// <summary>
    /// A product with an active variant in the price range has its lowest price at most the range's top
    /// and its highest at least its floor (<see cref="Product.MaxPriceMinor"/>): conditions on the
    /// product's own columns, which the sort's index holds, so that a page's walk refuses most products
    /// outside the range without looking at their variants. Only the page gets them: the planner takes
    /// them for independent of the variants' condition they restate and would estimate the total far too
    /// low (a department's 82,967 in range at a million products as 48,834; 84,728 without them), and
    /// an estimate below <see cref="TotalCount.EstimatedAbove"/> means counting.
    /// </summary>
    private static IQueryable<Product> WithinPriceRange(IQueryable<Product> products, ProductFilter filter)
    {
        if (filter.MinPrice is { } min)
        {
            var minMinor = Money.ToMinor(min);
            products = products.Where(p => p.MaxPriceMinor >= minMinor);
        }

        if (filter.MaxPrice is { } max)
        {
            var maxMinor = Money.ToMinor(max);
            products = products.Where(p => p.PriceMinor <= maxMinor);
        }

        return products;
    }

    /// <summary>
    /// A page's ids. Cheapest first from a price floor, the walk along the price index starts at the
    /// floor, not at the cheapest product: the products whose lowest price is in the range, in order,
    /// merged with those whose lowest price is below the floor and highest above it (only products whose
    /// variants' prices differ, which a partial index holds), each side cut at the page's end. Walking
    /// from the cheapest product instead passes every product below the floor (38,000 at a million
    /// products), a cost growing with the catalog.
    /// </summary>
    private static IQueryable<Guid> PageIds(IQueryable<Product> ranged, ProductFilter filter, string sort, PageQuery paging)
    {
        if (sort != "price" || filter.MinPrice is not { } min)
        {
            return Sort(ranged, sort).Select(p => p.Id).Skip(paging.Skip).Take(paging.Size);
        }

        var floor = Money.ToMinor(min);
        var reach = paging.Skip + paging.Size;
        var fromFloor = ranged.Where(p => p.PriceMinor >= floor)
            .OrderBy(p => p.PriceMinor).ThenBy(p => p.Id).Select(p => new { p.Id, p.PriceMinor }).Take(reach);
        var straddling = ranged.Where(p => p.PriceMinor < floor && p.PriceMinor < p.MaxPriceMinor)
            .OrderBy(p => p.PriceMinor).ThenBy(p => p.Id).Select(p => new { p.Id, p.PriceMinor }).Take(reach);
        return fromFloor.Concat(straddling).OrderBy(p => p.PriceMinor).ThenBy(p => p.Id).Select(p => p.Id).Skip(paging.Skip).Take(paging.Size);
    }

    /// <summary>The products a filter finds: the same for the list and for its facets.</summary>
    private async Task<IQueryable<Product>> FilterAsync(ShopDbContext reads, ProductFilter filter, bool isAdmin, CancellationToken cancellationToken)
    {
        var products = reads.Products.AsNoTracking();
        if (!(isAdmin && filter.IncludeInactive == true))
        {
            products = products.Where(p => p.IsActive);
        }

        if (!string.IsNullOrWhiteSpace(filter.Q))
        {
            // A case-insensitive substring of sku, name or description; a trigram index serves it on PostgreSQL.
            var pattern = $"%{EscapeLike(filter.Q.Trim().ToLowerInvariant())}%";
            products = products.Where(p => EF.Functions.Like(p.SearchText, pattern, LikeEscape));
        }

        if (filter.CategoryId is { } categoryId)
        {
            var ids = await tree.SubtreeIdsAsync(categoryId, cancellationToken);
            products = products.Where(p => p.CategoryId != null && ids.Contains(p.CategoryId.Value));
        }

        // Options, price and stock are the variants': a product matches when one active variant has
        // every option value asked for and is within the price range (and, for inStock, has stock).
        var variants = reads.Variants.Where(v => v.IsActive);
        var byVariant = false;
        if (filter.MinPrice is { } min)
        {
            var minMinor = Money.ToMinor(min);
            variants = variants.Where(v => v.PriceMinor >= minMinor);
            byVariant = true;
        }

        if (filter.MaxPrice is { } max)
        {
            var maxMinor = Money.ToMinor(max);
            variants = variants.Where(v => v.PriceMinor <= maxMinor);
            byVariant = true;
        }

        foreach (var (name, value) in filter.Options)
        {
            variants = variants.Where(v => v.OptionRows.Any(o => o.Name == name && o.Value == value));
            byVariant = true;
        }

        var inStock = variants.Where(v => v.Inventory!.OnHand - v.Inventory.Reserved > 0);
        return filter.InStock switch
        {
            true => products.Where(p => inStock.Any(v => v.ProductId == p.Id)),
            false => byVariant
                ? products.Where(p => variants.Any(v => v.ProductId == p.Id) && !inStock.Any(v => v.ProductId == p.Id))
                : products.Where(p => !inStock.Any(v => v.ProductId == p.Id)),
            null when byVariant => products.Where(p => variants.Any(v => v.ProductId == p.Id)),
            null => products,
        };
    }

    /// <summary>
    /// Counts for a filter sidebar over the products <c>GET /products</c> finds with the same filters:
    /// the total, per category (with its sub-categories' products), per option value (products with an
    /// active variant having it), the price range of their active variants, and how many are in stock.
    /// Cached like list pages; on the read replica when there is one.
    /// </summary>
    public async Task<ProductFacetsResponse> FacetsAsync(ProductFacetsQuery query, bool isAdmin, CancellationToken cancellationToken) =>
        isAdmin
            ? await scopes.QueryAsync((reads, ct) => QueryFacetsAsync(reads, query.Filter, isAdmin, ct), cancellationToken)
            : await cache.GetFacetsAsync(query, (reads, ct) => QueryFacetsAsync(reads, query.Filter, isAdmin: false, ct), cancellationToken);

    private async Task<ProductFacetsResponse> QueryFacetsAsync(ShopDbContext reads, ProductFilter filter, bool isAdmin, CancellationToken cancellationToken)
    {
        var products = await FilterAsync(reads, filter, isAdmin, cancellationToken);
        var counts = await FacetCounts.QueryAsync(reads, products, allInStock: filter.InStock == true, cancellationToken);
        // The list's totalCount for the same filter: exact, or beyond its limit the same estimate.
        var total = await TotalCount.OfCountedAsync(products, counts.Products, cancellationToken);
        var categories = await tree.RollUpAsync(counts.ByCategory, cancellationToken);
        var options = counts.Options.GroupBy(v => v.Name).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new FacetOption(g.Key, [.. g.OrderBy(v => v.Value, StringComparer.Ordinal).Select(v => new FacetValue(v.Value, v.Count))]))
            .ToList();
        return new ProductFacetsResponse(total, categories, options,
            new PriceRange(ToMajor(counts.MinPriceMinor), ToMajor(counts.MaxPriceMinor)), counts.InStock);
    }

    private static decimal? ToMajor(long? minor) => minor is { } m ? Money.ToMajor(m) : null;

    private const string LikeEscape = "\\";

    private static string EscapeLike(string term) =>
        term.Replace(LikeEscape, LikeEscape + LikeEscape, StringComparison.Ordinal)
            .Replace("%", LikeEscape + "%", StringComparison.Ordinal)
            .Replace("_", LikeEscape + "_", StringComparison.Ordinal);

    // Every order ends with the id, so pages never overlap or skip rows that tie.
    private static IQueryable<Product> Sort(IQueryable<Product> products, string sort) => sort switch
    {
        "name" => products.OrderBy(p => p.SortName).ThenBy(p => p.Id),
        "-name" => products.OrderByDescending(p => p.SortName).ThenByDescending(p => p.Id),
        "price" => products.OrderBy(p => p.PriceMinor).ThenBy(p => p.Id),
        "-price" => products.OrderByDescending(p => p.PriceMinor).ThenByDescending(p => p.Id),
        "createdAt" => products.OrderBy(p => p.CreatedAt).ThenBy(p => p.Id),
        _ => products.OrderByDescending(p => p.CreatedAt).ThenByDescending(p => p.Id),
    };

    /// <summary>By id or slug, cached for customers, fresh for admins. Inactive products exist only for admins.</summary>
    public async Task<ProductResponse> GetAsync(string idOrSlug, bool isAdmin, CancellationToken cancellationToken)
    {
        var product = isAdmin
            ? await scopes.QueryAsync((reads, ct) => FindAsync(reads, idOrSlug, ct), cancellationToken)
            : await cache.GetAsync(idOrSlug, (reads, ct) => FindAsync(reads, idOrSlug, ct), cancellationToken);
        return product is not null && (product.IsActive || isAdmin)
            ? product
            : throw new NotFoundException("Product not found.");
    }

    // Compiled once per model: EF Core otherwise walks and hashes the expression tree on every call to
    // find its cached plan. A compiled query binds to the first model it runs on, and the primary's and
    // the read replica's DbContexts have a model each (as have the SQLite and PostgreSQL shops a test
    // process hosts side by side).
    private readonly ConcurrentDictionary<IModel, CompiledFinds> _finds = new();

    private sealed record CompiledFinds(
        Func<ShopDbContext, Guid, CancellationToken, Task<Product?>> ById,
        Func<ShopDbContext, string, CancellationToken, Task<Product?>> BySlug);

    private static CompiledFinds Compile(IModel _) => new(
        EF.CompileAsyncQuery((ShopDbContext db, Guid id, CancellationToken _) => db.Products.Where(p => p.Id == id).Select(Shown).SingleOrDefault()),
        EF.CompileAsyncQuery((ShopDbContext db, string slug, CancellationToken _) => db.Products.Where(p => p.Slug == slug).Select(Shown).SingleOrDefault()));

    /// <summary>
    /// What a product's answer shows (<see cref="CatalogMappings.ToResponse(Product)"/>), read into detached
    /// copies rather than as entities with their variants included: no navigation fix-up, and none of the
    /// columns no answer shows (the search text, the sort name, the highest price, the variants' option keys and dates).
    /// </summary>
    private static readonly Expression<Func<Product, Product>> Shown = p => new Product
    {
        Id = p.Id, Sku = p.Sku, Slug = p.Slug, Name = p.Name, Description = p.Description, PriceMinor = p.PriceMinor,
        Currency = p.Currency, CategoryId = p.CategoryId, ImageUrls = p.ImageUrls, IsActive = p.IsActive, Options = p.Options,
        Version = p.Version, CreatedAt = p.CreatedAt, UpdatedAt = p.UpdatedAt,
        Variants = p.Variants.Select(v => new ProductVariant
        {
            Id = v.Id, Sku = v.Sku, OptionValues = v.OptionValues, PriceMinor = v.PriceMinor, Currency = v.Currency, IsActive = v.IsActive,
            Position = v.Position,
            Inventory = v.Inventory == null ? null : new Inventory { OnHand = v.Inventory.OnHand, Reserved = v.Inventory.Reserved },
        }).ToList(),
    };

    /// <summary>
    /// A page's products with their variants and stock: one query (a join). The page is found first by
    /// ids alone (the filter, the sort, the offset), which on PostgreSQL the sort's covering index answers
    /// without reading a product row: a million products' price-sorted walk past rows a filter refuses
    /// (another category, no variant in the price range) costs index entries, not product rows.
    /// </summary>
    private static IQueryable<Product> WithVariants(IQueryable<Product> products) =>
        products.Include(p => p.Variants).ThenInclude(v => v.Inventory);

    private async Task<ProductResponse?> FindAsync(ShopDbContext reads, string idOrSlug, CancellationToken cancellationToken)
    {
        var finds = _finds.GetOrAdd(reads.Model, Compile);
        var product = Guid.TryParse(idOrSlug, out var id)
            ? await finds.ById(reads, id, cancellationToken)
            : await finds.BySlug(reads, idOrSlug, cancellationToken);
        return product?.ToResponse();
    }
}
