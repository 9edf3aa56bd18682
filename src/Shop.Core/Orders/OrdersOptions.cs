namespace Shop.Core.Orders;

public sealed class OrdersOptions
{
    public const string Section = "Orders";

    /// <summary>Orders still unpaid this long after they were placed are cancelled and their stock released.</summary>
    public TimeSpan PaymentTimeout { get; set; } = TimeSpan.FromMinutes(30);
}
