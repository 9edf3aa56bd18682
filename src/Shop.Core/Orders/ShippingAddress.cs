namespace Shop.Core.Orders;

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
