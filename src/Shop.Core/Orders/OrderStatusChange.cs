namespace Shop.Core.Orders;

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
