namespace Shop.Core.Catalog;

/// <summary>
/// Stock of one variant (and so, for a simple product, of the product). <c>available = OnHand - Reserved</c>; check constraints in the database
/// keep <c>0 &lt;= Reserved &lt;= OnHand</c>, so no code path can oversell.
/// </summary>
public sealed class Inventory
{
    public Guid VariantId { get; init; }
    public Guid ProductId { get; init; }
    public int OnHand { get; set; }
    public int Reserved { get; set; }
    public int LowStockThreshold { get; set; }
    public DateTime UpdatedAt { get; set; }

    public int Available => OnHand - Reserved;
}
