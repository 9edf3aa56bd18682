using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Shop.Core.Caching;
using Shop.Core.Common;
using Shop.Core.Data;
using Shop.Core.Events;
using Wolverine.EntityFrameworkCore;

namespace Shop.Core.Catalog;

/// <summary>Products: browsing for everyone, editing for admins, with optimistic concurrency on updates.</summary>
public sealed class ProductService(
    ShopDbContext db, IDbContextOutbox<ShopDbContext> outbox, CategoryService categories, ProductCache cache, IOptions<CatalogOptions> options, TimeProvider clock)
{
    public const int DefaultLowStockThreshold = 5;

    /// <summary>A page of products; what customers browse is cached (<see cref="ProductCache"/>), what admins see is read fresh.</summary>
    public async Task<PagedResult<ProductResponse>> ListAsync(ProductListQuery query, bool isAdmin, CancellationToken cancellationToken) =>
        isAdmin
            ? await QueryAsync(db, query, isAdmin, cancellationToken)
            : await cache.GetPageAsync(query, (reads, ct) => QueryAsync(reads, query, isAdmin: false, ct), cancellationToken);

    private async Task<PagedResult<ProductResponse>> QueryAsync(ShopDbContext reads, ProductListQuery query, bool isAdmin, CancellationToken cancellationToken)
    {
        var products = reads.Products.AsNoTracking();
        if (!(isAdmin && query.IncludeInactive == true))
        {
            products = products.Where(p => p.IsActive);
        }

        if (!string.IsNullOrWhiteSpace(query.Q))
        {
            // A case-insensitive substring of sku, name or description; a trigram index serves it on PostgreSQL.
            var pattern = $"%{EscapeLike(query.Q.Trim().ToLowerInvariant())}%";
            products = products.Where(p => EF.Functions.Like(p.SearchText, pattern, LikeEscape));
        }

        if (query.CategoryId is { } categoryId)
        {
            var ids = await categories.SubtreeIdsAsync(categoryId, cancellationToken);
            products = products.Where(p => p.CategoryId != null && ids.Contains(p.CategoryId.Value));
        }

        if (query.MinPrice is { } min)
        {
            var minMinor = Money.ToMinor(min);
            products = products.Where(p => p.PriceMinor >= minMinor);
        }

        if (query.MaxPrice is { } max)
        {
            var maxMinor = Money.ToMinor(max);
            products = products.Where(p => p.PriceMinor <= maxMinor);
        }

        products = query.InStock switch
        {
            true => products.Where(p => p.Inventory!.OnHand - p.Inventory.Reserved > 0),
            false => products.Where(p => p.Inventory!.OnHand - p.Inventory.Reserved <= 0),
            null => products,
        };

        return await products.PageAsync(q => Sort(q, query.Sort ?? ProductSorts.Default).Include(p => p.Inventory), query.Paging, p => p.ToResponse(), cancellationToken);
    }

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
            ? await FindAsync(db, idOrSlug, cancellationToken)
            : await cache.GetAsync(idOrSlug, (reads, ct) => FindAsync(reads, idOrSlug, ct), cancellationToken);
        return product is not null && (product.IsActive || isAdmin)
            ? product
            : throw new NotFoundException("Product not found.");
    }

    private static async Task<ProductResponse?> FindAsync(ShopDbContext reads, string idOrSlug, CancellationToken cancellationToken)
    {
        var products = reads.Products.AsNoTracking().Include(p => p.Inventory);
        var product = Guid.TryParse(idOrSlug, out var id)
            ? await products.SingleOrDefaultAsync(p => p.Id == id, cancellationToken)
            : await products.SingleOrDefaultAsync(p => p.Slug == idOrSlug, cancellationToken);
        return product?.ToResponse();
    }

    public async Task<ProductResponse> CreateAsync(ProductRequest request, CancellationToken cancellationToken)
    {
        await EnsureCategoryAsync(request.CategoryId, cancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;
        var product = new Product
        {
            Sku = request.Sku.Trim(),
            Slug = request.Slug ?? Slugs.FromName(request.Name, "product"),
            Name = request.Name.Trim(),
            Currency = "",
            CreatedAt = now,
            Inventory = new Inventory { LowStockThreshold = DefaultLowStockThreshold, UpdatedAt = now },
        };
        Apply(product, request, now);
        await EnsureUniqueAsync(product, slugGiven: request.Slug is not null, cancellationToken);
        db.Products.Add(product);
        await SaveAsync(product, "created", cancellationToken);
        return product.ToResponse();
    }

    /// <summary>
    /// Replaces a product's fields. With <paramref name="expectedVersion"/> (from If-Match) a
    /// product changed since the client read it is a 409; without it, the version read here still
    /// guards the write, so two concurrent updates never silently merge.
    /// </summary>
    public async Task<ProductResponse> UpdateAsync(Guid id, ProductRequest request, long? expectedVersion, CancellationToken cancellationToken)
    {
        var product = await db.Products.Include(p => p.Inventory).SingleOrDefaultAsync(p => p.Id == id, cancellationToken)
            ?? throw new NotFoundException("Product not found.");
        if (expectedVersion is { } expected && expected != product.Version)
        {
            throw StaleUpdate();
        }

        await EnsureCategoryAsync(request.CategoryId, cancellationToken);
        product.Sku = request.Sku.Trim();
        product.Name = request.Name.Trim();
        // The slug is part of storefront URLs: it changes only when the client sends a new one.
        product.Slug = request.Slug ?? product.Slug;
        product.Version++;
        Apply(product, request, clock.GetUtcNow().UtcDateTime);
        await EnsureUniqueAsync(product, slugGiven: true, cancellationToken);
        await SaveAsync(product, "updated", cancellationToken);
        return product.ToResponse();
    }

    /// <summary>
    /// Removes a product with its stock and adjustment history, unless it was ever ordered: then
    /// orders still point at it, so it is deactivated instead (hidden from the shop, kept for the records).
    /// </summary>
    public async Task DeleteAsync(Guid id, CancellationToken cancellationToken)
    {
        var product = await db.Products.AsNoTracking().SingleOrDefaultAsync(p => p.Id == id, cancellationToken)
            ?? throw new NotFoundException("Product not found.");
        var now = clock.GetUtcNow().UtcDateTime;

        if (!await db.OrderLines.AnyAsync(l => l.ProductId == id, cancellationToken))
        {
            try
            {
                await using var deletion = await db.Database.BeginTransactionAsync(cancellationToken);
                db.Invalidates(CacheKeys.Tags.Products(id));
                await db.Products.Where(p => p.Id == id).ExecuteDeleteAsync(cancellationToken);
                await outbox.PublishAsync(product.Changed("deleted", now));
                await outbox.SaveChangesAndFlushMessagesAsync(cancellationToken);
                return;
            }
            catch (Exception e) when (e.IsForeignKeyViolation())
            {
                // Ordered between the check and the delete: the order line's foreign key refused; deactivate.
            }
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        db.Invalidates(CacheKeys.Tags.Products(id));
        await db.Products.Where(p => p.Id == id).ExecuteUpdateAsync(s => s
            .SetProperty(p => p.IsActive, false)
            .SetProperty(p => p.Version, p => p.Version + 1)
            .SetProperty(p => p.UpdatedAt, now), cancellationToken);
        product.IsActive = false;
        await outbox.PublishAsync(product.Changed("deactivated", now));
        await outbox.SaveChangesAndFlushMessagesAsync(cancellationToken);
    }

    private void Apply(Product product, ProductRequest request, DateTime now)
    {
        product.Description = string.IsNullOrWhiteSpace(request.Description) ? null : request.Description.Trim();
        product.PriceMinor = Money.ToMinor(request.Price);
        // Left out: the shop's default on creation, the product's own currency on replacement.
        product.Currency = request.Currency?.Trim().ToUpperInvariant()
            ?? (product.Currency is { Length: > 0 } current ? current : options.Value.DefaultCurrency.ToUpperInvariant());
        product.CategoryId = request.CategoryId;
        product.ImageUrls = request.ImageUrls ?? product.ImageUrls;
        product.IsActive = request.IsActive ?? product.IsActive;
        product.UpdatedAt = now;
    }

    private async Task EnsureCategoryAsync(Guid? categoryId, CancellationToken cancellationToken)
    {
        if (categoryId is { } id && !await categories.ExistsAsync(id, cancellationToken))
        {
            throw new RequestValidationException("categoryId", "No category has this id.");
        }
    }

    private async Task EnsureUniqueAsync(Product product, bool slugGiven, CancellationToken cancellationToken)
    {
        if (await db.Products.AnyAsync(p => p.Sku == product.Sku && p.Id != product.Id, cancellationToken))
        {
            throw new ConflictException($"The sku '{product.Sku}' is already used by another product.", "sku-taken");
        }

        if (await db.Products.AnyAsync(p => p.Slug == product.Slug && p.Id != product.Id, cancellationToken))
        {
            if (slugGiven)
            {
                throw new ConflictException($"The slug '{product.Slug}' is already used by another product.", "slug-taken");
            }

            product.Slug = Slugs.WithSuffix(product.Slug);
        }
    }

    private async Task SaveAsync(Product product, string change, CancellationToken cancellationToken)
    {
        try
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            db.Invalidates(CacheKeys.Tags.Products(product.Id));
            await outbox.PublishAsync(product.Changed(change, product.UpdatedAt));
            await outbox.SaveChangesAndFlushMessagesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw StaleUpdate();
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            throw new ConflictException("The sku or slug was taken by another product at the same moment.", "sku-taken");
        }
        catch (DbUpdateException e) when (e.IsForeignKeyViolation())
        {
            throw new RequestValidationException("categoryId", "The category was deleted.");
        }
    }

    private static ConflictException StaleUpdate() =>
        new("The product was changed by someone else since you read it. Fetch it again and reapply your change.", "stale-update");
}
