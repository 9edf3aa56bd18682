namespace Shop.Core.Orders;

/// <summary>One line, with sku, name and price copied from the product when the order was placed.</summary>
public sealed class OrderLine
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid OrderId { get; init; }
    public Guid ProductId { get; init; }
    public Guid VariantId { get; init; }

    /// <summary>The variant's option values when the order was placed ("Size": "M"); empty for a simple product.</summary>
    public Dictionary<string, string> OptionValues { get; init; } = [];
    public required string Sku { get; init; }
    public required string Name { get; init; }
    public long UnitPriceMinor { get; init; }
    public int Quantity { get; init; }
    public long LineTotalMinor { get; init; }

    /// <summary>This line's share of the order's discount, and the tax on what is left.</summary>
    public long DiscountMinor { get; init; }
    public long TaxMinor { get; init; }
}
