using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Shop.Core.Caching;
using Shop.Core.Common;
using Shop.Core.Data;
using Shop.Core.Events;
using Wolverine.EntityFrameworkCore;

namespace Shop.Core.Catalog;

/// <summary>Products: editing for admins, with optimistic concurrency on updates; reads are <see cref="ProductCatalog"/>'s.</summary>
public sealed class ProductService(
    ShopDbContext db, IDbContextOutbox<ShopDbContext> outbox, CategoryService categories, IOptions<CatalogOptions> options, TimeProvider clock)
{
    public const int DefaultLowStockThreshold = 5;

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
