using Microsoft.EntityFrameworkCore;
using Shop.Core.Common;
using Shop.Core.Data;

namespace Shop.Core.Pricing;

/// <summary>
/// Counts a discount's uses inside the order's own transaction, so that a limit holds under any
/// concurrency: the count goes up only by a conditional UPDATE (PostgreSQL re-reads the row after a
/// concurrent commit; SQLite has one writer), and a once-per-customer code's second use by the same
/// customer fails on a unique index. Either failure is a 409 and rolls the order back.
/// </summary>
public static class DiscountUses
{
    public static async Task CountAsync(ShopDbContext db, Discount discount, Guid orderId, Guid userId, DateTime now, CancellationToken cancellationToken)
    {
        var counted = await db.Discounts
            .Where(d => d.Id == discount.Id && d.IsActive && (d.UsageLimit == null || d.UsageCount < d.UsageLimit))
            .ExecuteUpdateAsync(s => s.SetProperty(d => d.UsageCount, d => d.UsageCount + 1), cancellationToken);
        if (counted == 0)
        {
            throw Unavailable("This code has just been used up or deactivated.");
        }

        db.DiscountRedemptions.Add(new DiscountRedemption
        {
            DiscountId = discount.Id, OrderId = orderId, UserId = userId, OncePerCustomer = discount.OncePerCustomer, At = now,
        });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            throw Unavailable("You have already used this code.");
        }
    }

    /// <summary>An order cancelled gives its use back (the code can be used again, by this customer too).</summary>
    public static async Task ReleaseAsync(ShopDbContext db, Guid discountId, Guid orderId, CancellationToken cancellationToken)
    {
        if (await db.DiscountRedemptions.Where(r => r.OrderId == orderId).ExecuteDeleteAsync(cancellationToken) > 0)
        {
            await db.Discounts.Where(d => d.Id == discountId && d.UsageCount > 0)
                .ExecuteUpdateAsync(s => s.SetProperty(d => d.UsageCount, d => d.UsageCount - 1), cancellationToken);
        }
    }

    public static ConflictException Unavailable(string message) =>
        new($"{message} The order was not placed.", "discount-unavailable");
}
