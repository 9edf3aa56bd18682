namespace Shop.Core.Orders;

public sealed class Order
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    /// <summary>Short, random, human-friendly: "SH-K3M9Q2X7". Unique; not guessable from another order's number.</summary>
    public required string Number { get; set; }

    public Guid UserId { get; init; }
    public OrderStatus Status { get; set; } = OrderStatus.PendingPayment;
    public long SubtotalMinor { get; init; }
    public long TotalMinor { get; init; }
    public required string Currency { get; init; }
    public required ShippingAddress ShippingAddress { get; init; }
    public string? Carrier { get; set; }
    public string? TrackingNumber { get; set; }
    public DateTime CreatedAt { get; init; }
    public DateTime UpdatedAt { get; set; }

    /// <summary>Concurrency token: two status changes read from the same state cannot both commit.</summary>
    public long Version { get; set; } = 1;

    public List<OrderLine> Lines { get; init; } = [];
    public List<OrderStatusChange> History { get; init; } = [];
}
