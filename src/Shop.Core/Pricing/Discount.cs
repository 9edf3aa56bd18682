namespace Shop.Core.Pricing;

public enum DiscountType
{
    Percentage,
    FixedAmount,
    FreeShipping,
}

public static class DiscountTypes
{
    public static readonly string[] All = ["percentage", "fixed_amount", "free_shipping"];

    public static string Name(this DiscountType type) => All[(int)type];

    public static bool TryParse(string? name, out DiscountType type)
    {
        var index = Array.IndexOf(All, name);
        type = (DiscountType)Math.Max(index, 0);
        return index >= 0;
    }

    public static DiscountType Parse(string name) =>
        TryParse(name, out var type) ? type : throw new ArgumentOutOfRangeException(nameof(name), name, "Unknown discount type.");
}

/// <summary>
/// A discount code. <see cref="ValueHundredths"/> holds a percentage in hundredths of a percent
/// (12.5% = 1250) or an amount in minor units (5.00 = 500): two decimals either way.
/// <see cref="UsageCount"/> is changed only by a conditional UPDATE in the order's own transaction.
/// </summary>
public sealed class Discount
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public required string Code { get; set; }

    /// <summary>The code upper-cased: unique, and what a customer's code is matched against.</summary>
    public required string NormalizedCode { get; set; }
    public DiscountType Type { get; set; }
    public long ValueHundredths { get; set; }
    public long? MinSubtotalMinor { get; set; }
    public DateTime? StartsAt { get; set; }
    public DateTime? EndsAt { get; set; }
    public int? UsageLimit { get; set; }
    public int UsageCount { get; set; }
    public bool OncePerCustomer { get; set; }
    public List<Guid> ProductIds { get; set; } = [];
    public List<Guid> CategoryIds { get; set; } = [];
    public bool IsActive { get; set; } = true;
    public DateTime CreatedAt { get; init; }
    public DateTime UpdatedAt { get; set; }

    public static string Normalize(string code) => code.Trim().ToUpperInvariant();
}

/// <summary>
/// One use of a discount by an order. With <see cref="OncePerCustomer"/> set, a unique index over
/// (discount, user) lets one customer's second use fail in the database, whatever the concurrency.
/// </summary>
public sealed class DiscountRedemption
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid DiscountId { get; init; }
    public Guid OrderId { get; init; }
    public Guid UserId { get; init; }
    public bool OncePerCustomer { get; init; }
    public DateTime At { get; init; }
}
