namespace Shop.Core.Orders;

public sealed class Order
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    /// <summary>Short, random, human-friendly: "SH-K3M9Q2X7". Unique; not guessable from another order's number.</summary>
    public required string Number { get; set; }

    public Guid UserId { get; init; }
    public OrderStatus Status { get; set; } = OrderStatus.PendingPayment;
    public long SubtotalMinor { get; init; }

    /// <summary>The discount code as the customer used it, and the discount it gave (the sum of the lines' discounts).</summary>
    public Guid? DiscountId { get; init; }
    public string? DiscountCode { get; init; }
    public long DiscountTotalMinor { get; init; }

    /// <summary>The shipping method chosen, its name copied, and what it cost this order.</summary>
    public Guid? ShippingMethodId { get; init; }
    public string? ShippingMethodName { get; init; }
    public long ShippingTotalMinor { get; init; }

    /// <summary>The tax of the lines plus the tax of shipping (<see cref="ShippingTaxMinor"/>).</summary>
    public long ShippingTaxMinor { get; init; }
    public long TaxTotalMinor { get; init; }

    /// <summary><see cref="SubtotalMinor"/> - discount + shipping + tax: what a payment charges.</summary>
    public long TotalMinor { get; init; }

    /// <summary>Where the order's emails go: the cart's email, else the customer's.</summary>
    public string? Email { get; init; }
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
