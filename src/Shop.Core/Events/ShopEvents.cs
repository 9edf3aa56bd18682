using Wolverine.Attributes;

namespace Shop.Core.Events;

/// <summary>
/// A fact the shop publishes. Every event has an id (consumers deduplicate on it), a type such as
/// "order.paid", a schema version (bumped on any breaking change of <c>Data</c>; additions keep
/// it), the time it happened and its data. Schemas are documented in docs/events.md.
/// </summary>
public interface IShopEvent
{
    Guid Id { get; }
    string Type { get; }
    int Version { get; }
    DateTime OccurredAt { get; }
}

[Topic("user.registered")]
public sealed record UserRegistered(Guid Id, DateTime OccurredAt, UserRegisteredData Data) : IShopEvent
{
    public string Type => "user.registered";
    public int Version => 1;
}

public sealed record UserRegisteredData(Guid UserId, string Email, string FullName);

/// <summary>What every order event carries.</summary>
/// <summary>An order's data. The fields after <c>Lines</c> came later (carts and pricing): a message written before them reads as none.</summary>
public sealed record OrderData(Guid OrderId, string Number, Guid UserId, string Status, decimal Total, string Currency, IReadOnlyList<OrderLineData> Lines,
    decimal Subtotal = 0, string? DiscountCode = null, decimal DiscountTotal = 0, string? ShippingMethod = null, decimal ShippingTotal = 0,
    decimal TaxTotal = 0, string? Email = null);

public sealed record OrderLineData(Guid ProductId, string Sku, string Name, decimal UnitPrice, int Quantity,
    Guid VariantId, IReadOnlyDictionary<string, string> OptionValues, decimal Discount = 0, decimal Tax = 0);

[Topic("order.placed")]
public sealed record OrderPlaced(Guid Id, DateTime OccurredAt, OrderData Data) : IShopEvent
{
    public string Type => "order.placed";
    public int Version => 1;
}

[Topic("order.paid")]
public sealed record OrderPaid(Guid Id, DateTime OccurredAt, OrderData Data) : IShopEvent
{
    public string Type => "order.paid";
    public int Version => 1;
}

[Topic("order.cancelled")]
public sealed record OrderCancelled(Guid Id, DateTime OccurredAt, OrderData Data, string PreviousStatus, string? Reason) : IShopEvent
{
    public string Type => "order.cancelled";
    public int Version => 1;
}

[Topic("order.shipped")]
public sealed record OrderShipped(Guid Id, DateTime OccurredAt, OrderData Data, string Carrier, string TrackingNumber) : IShopEvent
{
    public string Type => "order.shipped";
    public int Version => 1;
}

[Topic("order.delivered")]
public sealed record OrderDelivered(Guid Id, DateTime OccurredAt, OrderData Data) : IShopEvent
{
    public string Type => "order.delivered";
    public int Version => 1;
}

[Topic("order.refunded")]
public sealed record OrderRefunded(Guid Id, DateTime OccurredAt, OrderData Data) : IShopEvent
{
    public string Type => "order.refunded";
    public int Version => 1;
}

public sealed record PaymentData(Guid PaymentId, Guid OrderId, decimal Amount, string Currency, string Status, string Provider, string? ProviderReference, string? FailureReason, decimal RefundedAmount);

[Topic("payment.succeeded")]
public sealed record PaymentSucceeded(Guid Id, DateTime OccurredAt, PaymentData Data) : IShopEvent
{
    public string Type => "payment.succeeded";
    public int Version => 1;
}

[Topic("payment.failed")]
public sealed record PaymentFailed(Guid Id, DateTime OccurredAt, PaymentData Data) : IShopEvent
{
    public string Type => "payment.failed";
    public int Version => 1;
}

[Topic("payment.refunded")]
public sealed record PaymentRefunded(Guid Id, DateTime OccurredAt, PaymentData Data, decimal Amount) : IShopEvent
{
    public string Type => "payment.refunded";
    public int Version => 1;
}

[Topic("inventory.low_stock")]
public sealed record InventoryLowStock(Guid Id, DateTime OccurredAt, InventoryLowStockData Data) : IShopEvent
{
    public string Type => "inventory.low_stock";
    public int Version => 1;
}

/// <param name="Sku">The variant's sku (a simple product's is the product's).</param>
/// <param name="VariantId">The variant whose stock ran low (a simple product's only one).</param>
/// <param name="OptionValues">That variant's option values ("Size": "M"); empty for a simple product.</param>
public sealed record InventoryLowStockData(Guid ProductId, string Sku, string Name, int OnHand, int Reserved, int Available, int LowStockThreshold,
    Guid VariantId, IReadOnlyDictionary<string, string> OptionValues);

[Topic("product.changed")]
public sealed record ProductChanged(Guid Id, DateTime OccurredAt, ProductChangedData Data) : IShopEvent
{
    public string Type => "product.changed";
    public int Version => 1;
}

/// <summary><c>Change</c> is "created", "updated", "deactivated" or "deleted".</summary>
public sealed record ProductChangedData(Guid ProductId, string Sku, string Slug, string Change, bool IsActive, decimal Price, string Currency);
