using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Shop.Core.Catalog;
using Shop.Core.Common;
using Shop.Core.Data;

namespace Shop.Core.Pricing;

/// <summary>Discount codes, managed by admins. Uses are counted by checkout (<see cref="DiscountUses"/>), never here.</summary>
public sealed class DiscountService(ShopDbContext db, TimeProvider clock, IOptions<CatalogOptions> catalog)
{
    private string Currency => catalog.Value.DefaultCurrency;

    public async Task<DiscountResponse> CreateAsync(DiscountRequest request, CancellationToken cancellationToken)
    {
        await EnsureTargetsExistAsync(request, cancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;
        var discount = new Discount { Code = "", NormalizedCode = "", CreatedAt = now, UpdatedAt = now };
        Apply(discount, request);
        db.Discounts.Add(discount);
        await SaveWithUniqueCodeAsync(discount, cancellationToken);
        return discount.ToResponse(Currency);
    }

    public async Task<DiscountResponse> GetAsync(Guid id, CancellationToken cancellationToken) =>
        (await FindAsync(id, tracked: false, cancellationToken)).ToResponse(Currency);

    public async Task<PagedResult<DiscountResponse>> ListAsync(DiscountListQuery query, CancellationToken cancellationToken)
    {
        var discounts = db.Discounts.AsNoTracking();
        if (query.Code is { } code)
        {
            var normalized = Discount.Normalize(code);
            discounts = discounts.Where(d => d.NormalizedCode.Contains(normalized));
        }

        if (query.IsActive is { } active)
        {
            discounts = discounts.Where(d => d.IsActive == active);
        }

        return await discounts.PageAsync(q => q.OrderByDescending(d => d.CreatedAt).ThenByDescending(d => d.Id), query.Paging, d => d.ToResponse(Currency), cancellationToken);
    }

    /// <summary>Replaces every field but the use count, which only checkouts change.</summary>
    public async Task<DiscountResponse> UpdateAsync(Guid id, DiscountRequest request, CancellationToken cancellationToken)
    {
        var discount = await FindAsync(id, tracked: true, cancellationToken);
        await EnsureTargetsExistAsync(request, cancellationToken);
        Apply(discount, request);
        discount.UpdatedAt = clock.GetUtcNow().UtcDateTime;
        if (discount.UsageLimit < discount.UsageCount)
        {
            throw new RequestValidationException("usageLimit", $"The code has been used {discount.UsageCount} times already: the limit cannot be lower.");
        }

        await SaveWithUniqueCodeAsync(discount, cancellationToken);
        return discount.ToResponse(Currency);
    }

    /// <summary>Deletes a code no order used; one that an order used is deactivated instead, so that the order keeps it.</summary>
    public async Task DeleteAsync(Guid id, CancellationToken cancellationToken)
    {
        var discount = await FindAsync(id, tracked: true, cancellationToken);
        if (await db.Orders.AnyAsync(o => o.DiscountId == id, cancellationToken))
        {
            discount.IsActive = false;
            discount.UpdatedAt = clock.GetUtcNow().UtcDateTime;
        }
        else
        {
            db.Discounts.Remove(discount);
        }

        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (e.IsForeignKeyViolation())
        {
            // An order took the code between the check and the delete.
            throw new ConflictException("An order used this code at the same moment; delete it again to deactivate it.", "concurrent-change");
        }
    }

    private static void Apply(Discount discount, DiscountRequest request)
    {
        discount.Code = request.Code.Trim();
        discount.NormalizedCode = Discount.Normalize(request.Code);
        discount.Type = DiscountTypes.Parse(request.Type);
        discount.ValueHundredths = request.Value is { } value ? decimal.ToInt64(value * 100m) : 0;
        discount.MinSubtotalMinor = request.MinSubtotal is { } min ? Money.ToMinor(min) : null;
        discount.StartsAt = request.StartsAt?.ToUniversalTime();
        discount.EndsAt = request.EndsAt?.ToUniversalTime();
        discount.UsageLimit = request.UsageLimit;
        discount.OncePerCustomer = request.OncePerCustomer ?? false;
        discount.ProductIds = request.ProductIds?.Distinct().ToList() ?? [];
        discount.CategoryIds = request.CategoryIds?.Distinct().ToList() ?? [];
        discount.IsActive = request.IsActive ?? true;
    }

    private async Task EnsureTargetsExistAsync(DiscountRequest request, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.ProductIds is { Count: > 0 } productIds)
        {
            var found = await db.Products.Where(p => productIds.Contains(p.Id)).Select(p => p.Id).ToListAsync(cancellationToken);
            if (productIds.Except(found).ToList() is [_, ..] missing)
            {
                errors["productIds"] = [$"No product has the id {string.Join(", ", missing)}."];
            }
        }

        if (request.CategoryIds is { Count: > 0 } categoryIds)
        {
            var found = await db.Categories.Where(c => categoryIds.Contains(c.Id)).Select(c => c.Id).ToListAsync(cancellationToken);
            if (categoryIds.Except(found).ToList() is [_, ..] missing)
            {
                errors["categoryIds"] = [$"No category has the id {string.Join(", ", missing)}."];
            }
        }

        if (errors.Count > 0)
        {
            throw new RequestValidationException(errors, "The discount names products or categories that do not exist.");
        }
    }

    private async Task SaveWithUniqueCodeAsync(Discount discount, CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            throw new ConflictException($"The code '{discount.Code}' is already used by another discount (codes are compared without case).", "code-taken");
        }
    }

    private async Task<Discount> FindAsync(Guid id, bool tracked, CancellationToken cancellationToken)
    {
        var discounts = tracked ? db.Discounts : db.Discounts.AsNoTracking();
        return await discounts.SingleOrDefaultAsync(d => d.Id == id, cancellationToken) ?? throw new NotFoundException("Discount not found.");
    }
}
