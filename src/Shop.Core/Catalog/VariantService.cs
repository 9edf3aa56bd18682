using Microsoft.EntityFrameworkCore;
using Shop.Core.Caching;
using Shop.Core.Common;
using Shop.Core.Data;
using Shop.Core.Events;
using Wolverine.EntityFrameworkCore;

namespace Shop.Core.Catalog;

/// <summary>
/// A product's variants, for admins. Every change first bumps the product's version (its row is
/// then this transaction's until commit), so changes to one product's variants are serial: the
/// "last active variant" rule and the product's price (its lowest active variant's) cannot be
/// broken by two changes racing.
/// </summary>
public sealed class VariantService(ShopDbContext db, IDbContextOutbox<ShopDbContext> outbox, ProductService products, TimeProvider clock)
{
    public async Task<VariantResponse> CreateAsync(Guid productId, VariantRequest request, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var product = await LockAsync(productId, now, cancellationToken);
        if (product.Variants.Count >= CatalogLimits.Variants)
        {
            throw new ConflictException($"A product has at most {CatalogLimits.Variants} variants.", "too-many-variants");
        }

        var values = VariantRules.FitOrThrow(product.Options, request.OptionValues, "optionValues");
        var variant = ProductService.NewVariant(product, request.Sku.Trim(), Money.ToMinor(request.Price), request.IsActive ?? true,
            product.Variants.Count == 0 ? 0 : product.Variants.Max(v => v.Position) + 1, values, now);
        EnsureNewCombination(product, variant);
        await products.EnsureSkusFreeAsync(product.Id, product.Sku, [.. product.Variants.Select(v => v.Sku), variant.Sku], cancellationToken);
        product.Variants.Add(variant);
        // Added explicitly: found only through the tracked product's collection, a new variant whose id is
        // already set (ids are made here, not by the database) would be taken for an existing row and updated.
        db.Variants.Add(variant);
        await SaveAsync(product, cancellationToken);
        return variant.ToResponse();
    }

    public async Task<VariantResponse> UpdateAsync(Guid productId, Guid variantId, VariantRequest request, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var product = await LockAsync(productId, now, cancellationToken);
        var variant = product.Variants.SingleOrDefault(v => v.Id == variantId) ?? throw VariantNotFound();
        variant.SetOptionValues(VariantRules.FitOrThrow(product.Options, request.OptionValues, "optionValues"));
        variant.Sku = request.Sku.Trim();
        variant.PriceMinor = Money.ToMinor(request.Price);
        variant.IsActive = request.IsActive ?? variant.IsActive;
        variant.UpdatedAt = now;
        EnsureNewCombination(product, variant);
        EnsureOneActive(product);
        await products.EnsureSkusFreeAsync(product.Id, product.Sku, [.. product.Variants.Select(v => v.Sku)], cancellationToken);
        await SaveAsync(product, cancellationToken);
        return variant.ToResponse();
    }

    public async Task<VariantResponse> GetAsync(Guid productId, Guid variantId, CancellationToken cancellationToken) =>
        (await db.Variants.AsNoTracking().Include(v => v.Inventory).SingleOrDefaultAsync(v => v.Id == variantId && v.ProductId == productId, cancellationToken))
        ?.ToResponse() ?? throw VariantNotFound();

    /// <summary>Removes a variant with its stock and history, or deactivates it when an order names it.</summary>
    public async Task DeleteAsync(Guid productId, Guid variantId, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var product = await LockAsync(productId, now, cancellationToken);
        var variant = product.Variants.SingleOrDefault(v => v.Id == variantId) ?? throw VariantNotFound();
        // Orders are placed without this product's lock: an order naming the variant from here on
        // makes the delete fail on the order line's foreign key (a 409 asking to retry), never lose the line.
        if (await db.OrderLines.AnyAsync(l => l.VariantId == variantId, cancellationToken))
        {
            variant.IsActive = false;
            variant.UpdatedAt = now;
        }
        else
        {
            product.Variants.Remove(variant);
            db.Variants.Remove(variant);
        }

        EnsureOneActive(product);
        await SaveAsync(product, cancellationToken);
    }

    /// <summary>The product with its variants, its row locked for this transaction and its version bumped.</summary>
    private async Task<Product> LockAsync(Guid productId, DateTime now, CancellationToken cancellationToken)
    {
        if (await db.Products.Where(p => p.Id == productId)
                .ExecuteUpdateAsync(s => s.SetProperty(p => p.Version, p => p.Version + 1).SetProperty(p => p.UpdatedAt, now), cancellationToken) == 0)
        {
            throw new NotFoundException("Product not found.");
        }

        db.Invalidates(CacheKeys.Tags.Products(productId));
        return await db.Products.Include(p => p.Variants).ThenInclude(v => v.Inventory)
            .Include(p => p.Variants).ThenInclude(v => v.OptionRows)
            .AsSplitQuery().SingleAsync(p => p.Id == productId, cancellationToken);
    }

    private static void EnsureNewCombination(Product product, ProductVariant variant)
    {
        if (product.Variants.Any(v => v.Id != variant.Id && v.OptionKey == variant.OptionKey))
        {
            throw VariantRules.Exists(variant.OptionValues);
        }
    }

    /// <summary>An active product keeps at least one active variant: something to sell.</summary>
    private static void EnsureOneActive(Product product)
    {
        if (product.IsActive && !product.Variants.Any(v => v.IsActive))
        {
            throw new ConflictException("This is the product's last active variant: an active product keeps one. Deactivate the product first.", "last-variant");
        }
    }

    private async Task SaveAsync(Product product, CancellationToken cancellationToken)
    {
        if (product.Variants.Count > 0)
        {
            ProductService.Reprice(product);
        }

        await outbox.PublishAsync(product.Changed("updated", product.UpdatedAt));
        try
        {
            await outbox.SaveChangesAndFlushMessagesAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            throw new ConflictException("The sku was taken by another product or variant at the same moment.", "sku-taken");
        }
        catch (DbUpdateException e) when (e.IsForeignKeyViolation())
        {
            throw new ConflictException("The variant was ordered at the same moment; try again to deactivate it.", "concurrent-change");
        }
    }

    private static NotFoundException VariantNotFound() => new("Variant not found.");
}
