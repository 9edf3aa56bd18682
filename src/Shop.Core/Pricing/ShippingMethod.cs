namespace Shop.Core.Pricing;

/// <summary>A way to ship, its price, and where it ships to (no countries: everywhere).</summary>
public sealed class ShippingMethod
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public required string Name { get; set; }
    public long PriceMinor { get; set; }
    public List<string> Countries { get; set; } = [];
    public long? FreeAboveSubtotalMinor { get; set; }
    public bool IsActive { get; set; } = true;
    public DateTime CreatedAt { get; init; }
    public DateTime UpdatedAt { get; set; }
}

/// <summary>The tax charged for one destination country; prices exclude tax.</summary>
public sealed class TaxRate
{
    public required string Country { get; init; }

    /// <summary>A fraction: 0.2 is 20%.</summary>
    public decimal Rate { get; set; }
    public string? Name { get; set; }
    public bool AppliesToShipping { get; set; }
    public DateTime UpdatedAt { get; set; }
}
