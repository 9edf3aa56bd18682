using Shop.Core.Orders;

namespace Shop.Core.Carts;

/// <summary>
/// Where a storefront builds an order. Holds no prices and reserves no stock: it is priced from the
/// catalog on every read, and checkout reserves stock as <c>POST /orders</c> does. Every change
/// bumps <see cref="Version"/>, so a checkout made from what it read cannot miss a change made meanwhile.
/// </summary>
public sealed class Cart
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    /// <summary>Null until a signed-in request touches the cart; then it is that user's for good.</summary>
    public Guid? UserId { get; set; }
    public string? Email { get; set; }
    public ShippingAddress? ShippingAddress { get; set; }
    public Guid? ShippingMethodId { get; set; }
    public string? DiscountCode { get; set; }

    /// <summary>The order the cart became; a cart with one is closed.</summary>
    public Guid? OrderId { get; set; }
    public DateTime CreatedAt { get; init; }
    public DateTime UpdatedAt { get; set; }
    public long Version { get; set; } = 1;
    public List<CartLine> Lines { get; init; } = [];

    public bool IsClosed => OrderId is not null;
}

public sealed class CartLine
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid CartId { get; init; }
    public Guid VariantId { get; init; }
    public int Quantity { get; set; }
    public DateTime AddedAt { get; init; }
}
