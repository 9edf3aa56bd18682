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
