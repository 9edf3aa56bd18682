using Shop.Core.Catalog;
using Shop.Core.Common;
using Shop.Core.Users;

namespace Shop.Core.Orders;

/// <summary>A line names a variant, or a product that has exactly one.</summary>
public sealed record OrderItemRequest(Guid? ProductId, int Quantity, Guid? VariantId = null);

/// <summary>
/// Lines, and either an inline shipping address or the id of one of the user's saved addresses;
/// optionally a shipping method (without one the order has no shipping charge) and a discount code.
/// </summary>
public sealed record PlaceOrderRequest(
    List<OrderItemRequest> Items, AddressRequest? ShippingAddress, Guid? ShippingAddressId, Guid? ShippingMethodId = null, string? DiscountCode = null);

/// <summary>What an order is made from, whether sent to <c>POST /orders</c> or taken from a cart.</summary>
public sealed record OrderDraft(Guid UserId, string? Email, ShippingAddress Address, IReadOnlyList<OrderItemRequest> Items, Guid? ShippingMethodId, string? DiscountCode);

public sealed record ChangeOrderStatusRequest(string Status, string? Carrier, string? TrackingNumber, [property: MultilineText] string? Note);

public sealed record CancelOrderRequest([property: MultilineText] string? Reason);

public sealed record OrderListQuery(string? Status, Guid? UserId, int? Page, int? PageSize)
{
    public PageQuery Paging => new(Page, PageSize);
}

public sealed record OrderLineResponse(Guid ProductId, Guid VariantId, string Sku, string Name, IReadOnlyDictionary<string, string> OptionValues,
    decimal UnitPrice, int Quantity, decimal LineTotal, decimal Discount, decimal Tax);

public sealed record OrderShippingMethodResponse(Guid Id, string Name);

public sealed record StatusChangeResponse(string Status, DateTime At, string? Note, string Actor);

public sealed record ShippingAddressResponse(string FullName, string Line1, string? Line2, string City, string? Region, string PostalCode, string Country);

public sealed record OrderResponse(
    Guid Id, string Number, Guid UserId, string Status, IReadOnlyList<OrderLineResponse> Items, decimal Subtotal, string? DiscountCode,
    decimal DiscountTotal, OrderShippingMethodResponse? ShippingMethod, decimal ShippingTotal, decimal TaxTotal, decimal Total,
    string Currency, string? Email, ShippingAddressResponse ShippingAddress, string? Carrier, string? TrackingNumber,
    IReadOnlyList<StatusChangeResponse> StatusHistory, DateTime CreatedAt, DateTime UpdatedAt);

public sealed record TrackingResponse(string Number, string Status, string? Carrier, string? TrackingNumber, IReadOnlyList<StatusChangeResponse> StatusHistory);

public static class OrderLimits
{
    public const int MaxLines = 100;
    public const int MaxQuantity = 1000;
    public const int Carrier = 100;
    public const int TrackingNumber = 100;
    public const int Note = 500;
}

public static class OrderMappings
{
    public static OrderResponse ToResponse(this Order o) => new(
        o.Id, o.Number, o.UserId, o.Status.Name(),
        o.Lines.OrderBy(l => l.Sku, StringComparer.Ordinal).Select(l => new OrderLineResponse(
            l.ProductId, l.VariantId, l.Sku, l.Name, l.OptionValues, Money.ToMajor(l.UnitPriceMinor), l.Quantity, Money.ToMajor(l.LineTotalMinor),
            Money.ToMajor(l.DiscountMinor), Money.ToMajor(l.TaxMinor))).ToList(),
        Money.ToMajor(o.SubtotalMinor), o.DiscountCode, Money.ToMajor(o.DiscountTotalMinor),
        o.ShippingMethodId is { } methodId ? new OrderShippingMethodResponse(methodId, o.ShippingMethodName ?? "") : null,
        Money.ToMajor(o.ShippingTotalMinor), Money.ToMajor(o.TaxTotalMinor), Money.ToMajor(o.TotalMinor), o.Currency, o.Email, o.ShippingAddress.ToResponse(),
        o.Carrier, o.TrackingNumber, o.History.ToResponse(), o.CreatedAt, o.UpdatedAt);

    public static TrackingResponse ToTracking(this Order o) => new(o.Number, o.Status.Name(), o.Carrier, o.TrackingNumber, o.History.ToResponse());

    private static List<StatusChangeResponse> ToResponse(this IEnumerable<OrderStatusChange> history) =>
        history.OrderBy(h => h.At).ThenBy(h => h.Id).Select(h => new StatusChangeResponse(h.Status.Name(), h.At, h.Note, h.Actor)).ToList();

    public static ShippingAddressResponse ToResponse(this ShippingAddress a) =>
        new(a.FullName, a.Line1, a.Line2, a.City, a.Region, a.PostalCode, a.Country);

    public static ShippingAddress ToShippingAddress(this AddressRequest r) => new()
    {
        FullName = r.FullName.Trim(), Line1 = r.Line1.Trim(), Line2 = UserMappings.NullIfBlank(r.Line2), City = r.City.Trim(),
        Region = UserMappings.NullIfBlank(r.Region), PostalCode = r.PostalCode.Trim(), Country = r.Country.Trim().ToUpperInvariant(),
    };

    public static ShippingAddress ToShippingAddress(this Address a) => new()
    {
        FullName = a.FullName, Line1 = a.Line1, Line2 = a.Line2, City = a.City, Region = a.Region, PostalCode = a.PostalCode, Country = a.Country,
    };
}
