namespace Shop.Core.Catalog;

/// <summary>One change of on-hand stock, kept as an audit trail: who, when, by how much and why.</summary>
public sealed class InventoryAdjustment
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid ProductId { get; init; }
    public Guid VariantId { get; init; }
    public int Delta { get; init; }
    public int OnHandAfter { get; init; }
    public required string Reason { get; init; }
    public Guid? ActorUserId { get; init; }
    public DateTime CreatedAt { get; init; }
}
