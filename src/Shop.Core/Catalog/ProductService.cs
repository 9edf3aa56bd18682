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
            Options = VariantRules.Normalize(request.Options),
        };
        Apply(product, request, now);
        product.Variants = request.Variants is { Count: > 0 } variants
            ? [.. variants.Select((v, i) => NewVariant(product, v.Sku.Trim(), Money.ToMinor(v.Price), v.IsActive ?? true, i,
                VariantRules.FitOrThrow(product.Options, v.OptionValues, $"variants[{i}].optionValues"), now))]
            // A simple product: one variant with the product's id, sku and price, and no option values.
            : [NewVariant(product, product.Sku, Money.ToMinor(request.Price!.Value), isActive: true, position: 0,
                VariantRules.FitOrThrow(product.Options, null, "variants"), now, id: product.Id)];
        var duplicate = product.Variants.GroupBy(v => v.OptionKey).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw VariantRules.Exists(duplicate.First().OptionValues);
        }

        Reprice(product);
        await EnsureSkusFreeAsync(product.Id, product.Sku, [.. product.Variants.Select(v => v.Sku)], cancellationToken);
        await EnsureSlugFreeAsync(product, slugGiven: request.Slug is not null, cancellationToken);
        db.Products.Add(product);
        await SaveAsync(product, "created", cancellationToken);
        return product.ToResponse();
    }

    internal static ProductVariant NewVariant(Product product, string sku, long priceMinor, bool isActive, int position,
        IReadOnlyDictionary<string, string> optionValues, DateTime now, Guid? id = null)
    {
        var variant = new ProductVariant
        {
            Id = id ?? Guid.CreateVersion7(),
            ProductId = product.Id,
            Sku = sku,
            PriceMinor = priceMinor,
            Currency = product.Currency,
            IsActive = isActive,
            Position = position,
            CreatedAt = now,
            UpdatedAt = now,
        };
        variant.SetOptionValues(optionValues);
        variant.Inventory = new Inventory { VariantId = variant.Id, ProductId = product.Id, LowStockThreshold = DefaultLowStockThreshold, UpdatedAt = now };
        return variant;
    }

    /// <summary>A simple product's variant: its id, sku and price, no option values, this much on hand.</summary>
    internal static ProductVariant DefaultVariant(Product product, int onHand, DateTime now)
    {
        var variant = NewVariant(product, product.Sku, product.PriceMinor, isActive: true, position: 0, new Dictionary<string, string>(), now, id: product.Id);
        variant.Inventory!.OnHand = onHand;
        return variant;
    }

    /// <summary>
    /// The product's price range from its variants: <see cref="Product.PriceMinor"/> its lowest active
    /// variant's price, <see cref="Product.MaxPriceMinor"/> its highest (the lowest and highest of all
    /// its variants while none is active). Every change to a variant's price or state calls this.
    /// </summary>
    internal static void Reprice(Product product)
    {
        var active = product.Variants.Where(v => v.IsActive).ToList();
        var priced = active.Count > 0 ? active : product.Variants;
        product.PriceMinor = priced.Min(v => v.PriceMinor);
        product.MaxPriceMinor = priced.Max(v => v.PriceMinor);
    }

    /// <summary>
    /// Replaces a product's fields. With <paramref name="expectedVersion"/> (from If-Match) a
    /// product changed since the client read it is a 409; without it, the version read here still
    /// guards the write, so two concurrent updates never silently merge. Its options may change
    /// only so that every variant still fits; with one variant, <c>price</c> (and the sku of a
    /// simple product) are that variant's.
    /// </summary>
    public async Task<ProductResponse> UpdateAsync(Guid id, ProductRequest request, long? expectedVersion, CancellationToken cancellationToken)
    {
        if (request.Variants is not null)
        {
            throw new RequestValidationException("variants", "Variants are given when a product is created; afterwards use /products/{id}/variants.");
        }

        var product = await db.Products.Include(p => p.Variants).ThenInclude(v => v.Inventory)
            .AsSplitQuery().SingleOrDefaultAsync(p => p.Id == id, cancellationToken)
            ?? throw new NotFoundException("Product not found.");
        if (expectedVersion is { } expected && expected != product.Version)
        {
            throw StaleUpdate();
        }

        await EnsureCategoryAsync(request.CategoryId, cancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;
        if (request.Options is not null)
        {
            var options = VariantRules.Normalize(request.Options);
            foreach (var variant in product.Variants)
            {
                var (_, problem) = VariantRules.Fit(options, variant.OptionValues);
                if (problem is not null)
                {
                    throw new ConflictException($"Variant {variant.Sku} would no longer fit the options: {problem} Change or remove it first.", "variant-mismatch");
                }
            }

            product.Options = options;
        }

        var sku = request.Sku.Trim();
        if (product.Variants is [var only])
        {
            if (request.Price is { } price)
            {
                only.PriceMinor = Money.ToMinor(price);
            }

            if (only.Id == product.Id)
            {
                only.Sku = sku; // a simple product's variant carries its sku
            }

            only.UpdatedAt = now;
        }

        product.Sku = sku;
        product.Name = request.Name.Trim();
        // The slug is part of storefront URLs: it changes only when the client sends a new one.
        product.Slug = request.Slug ?? product.Slug;
        product.Version++;
        Apply(product, request, now);
        foreach (var variant in product.Variants)
        {
            variant.Currency = product.Currency;
        }

        Reprice(product);
        await EnsureSkusFreeAsync(product.Id, product.Sku, [.. product.Variants.Select(v => v.Sku)], cancellationToken);
        await EnsureSlugFreeAsync(product, slugGiven: true, cancellationToken);
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

    /// <summary>A slug names one product: a given one that is taken is a 409, a derived one gets a suffix.</summary>
    private async Task EnsureSlugFreeAsync(Product product, bool slugGiven, CancellationToken cancellationToken)
    {
        if (await db.Products.AnyAsync(p => p.Slug == product.Slug && p.Id != product.Id, cancellationToken))
        {
            if (slugGiven)
            {
                throw new ConflictException($"The slug '{product.Slug}' is already used by another product.", "slug-taken");
            }

            product.Slug = Slugs.WithSuffix(product.Slug);
        }
    }

    /// <summary>
    /// A sku names one thing across the catalog: no other product, and no variant of another
    /// product, may have one of these. (Unique indexes guard each table against a race; this check
    /// covers the pair.)
    /// </summary>
    internal async Task EnsureSkusFreeAsync(Guid productId, string productSku, IReadOnlyCollection<string> variantSkus, CancellationToken cancellationToken)
    {
        var repeated = variantSkus.GroupBy(s => s, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (repeated is not null)
        {
            throw new ConflictException($"The sku '{repeated.Key}' is given to more than one variant.", "sku-taken");
        }

        List<string> skus = [productSku, .. variantSkus];
        var taken = await db.Products.Where(p => p.Id != productId && skus.Contains(p.Sku)).Select(p => p.Sku)
            .Concat(db.Variants.Where(v => v.ProductId != productId && skus.Contains(v.Sku)).Select(v => v.Sku))
            .FirstOrDefaultAsync(cancellationToken);
        if (taken is not null)
        {
            throw new ConflictException($"The sku '{taken}' is already used by another product or variant.", "sku-taken");
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
