namespace Shop.Core.Orders;

public enum OrderStatus
{
    PendingPayment,
    Paid,
    Shipped,
    Delivered,
    Cancelled,
    Refunded,
}

/// <summary>The wire and storage names of <see cref="OrderStatus"/>: "pending_payment", "paid", ...</summary>
public static class OrderStatuses
{
    private static readonly Dictionary<OrderStatus, string> Names = new()
    {
        [OrderStatus.PendingPayment] = "pending_payment",
        [OrderStatus.Paid] = "paid",
        [OrderStatus.Shipped] = "shipped",
        [OrderStatus.Delivered] = "delivered",
        [OrderStatus.Cancelled] = "cancelled",
        [OrderStatus.Refunded] = "refunded",
    };

    private static readonly Dictionary<string, OrderStatus> ByName = Names.ToDictionary(p => p.Value, p => p.Key, StringComparer.Ordinal);

    public static IEnumerable<string> All => Names.Values;

    public static string Name(this OrderStatus status) => Names[status];

    public static OrderStatus Parse(string name) =>
        ByName.TryGetValue(name, out var status) ? status : throw new ArgumentOutOfRangeException(nameof(name), name, "Unknown order status.");

    public static bool TryParse(string? name, out OrderStatus status) => ByName.TryGetValue(name ?? "", out status);
}

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

/// <summary>A copy of the address at the time of ordering: later edits of a saved address do not move a parcel.</summary>
public sealed class ShippingAddress
{
    public required string FullName { get; init; }
    public required string Line1 { get; init; }
    public string? Line2 { get; init; }
    public required string City { get; init; }
    public string? Region { get; init; }
    public required string PostalCode { get; init; }
    public required string Country { get; init; }
}

/// <summary>One line, with sku, name and price copied from the product when the order was placed.</summary>
public sealed class OrderLine
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid OrderId { get; init; }
    public Guid ProductId { get; init; }
    public required string Sku { get; init; }
    public required string Name { get; init; }
    public long UnitPriceMinor { get; init; }
    public int Quantity { get; init; }
    public long LineTotalMinor { get; init; }
}

public sealed class OrderStatusChange
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid OrderId { get; init; }
    public OrderStatus Status { get; init; }
    public DateTime At { get; init; }

    /// <summary>"customer", "admin" or "system".</summary>
    public required string Actor { get; init; }

    public Guid? ActorUserId { get; init; }
    public string? Note { get; init; }
}
