using Shop.Core.Catalog;
using Shop.Core.Orders;
using Shop.Core.Payments;

namespace Shop.Core.Events;

public static class EventMappings
{
    public static OrderData ToEventData(this Order o) => new(
        o.Id, o.Number, o.UserId, o.Status.Name(), Money.ToMajor(o.TotalMinor), o.Currency,
        o.Lines.Select(l => new OrderLineData(l.ProductId, l.Sku, l.Name, Money.ToMajor(l.UnitPriceMinor), l.Quantity, l.VariantId, l.OptionValues,
            Money.ToMajor(l.DiscountMinor), Money.ToMajor(l.TaxMinor))).ToList(),
        Money.ToMajor(o.SubtotalMinor), o.DiscountCode, Money.ToMajor(o.DiscountTotalMinor), o.ShippingMethodName, Money.ToMajor(o.ShippingTotalMinor),
        Money.ToMajor(o.TaxTotalMinor), o.Email);

    /// <summary>The event that announces an order's move into <see cref="Order.Status"/>.</summary>
    public static IShopEvent StatusEvent(this Order o, OrderStatus previous, string? note, DateTime at)
    {
        var id = Guid.CreateVersion7();
        var data = o.ToEventData();
        return o.Status switch
        {
            OrderStatus.PendingPayment => new OrderPlaced(id, at, data),
            OrderStatus.Paid => new OrderPaid(id, at, data),
            OrderStatus.Shipped => new OrderShipped(id, at, data, o.Carrier ?? "", o.TrackingNumber ?? ""),
            OrderStatus.Delivered => new OrderDelivered(id, at, data),
            OrderStatus.Cancelled => new OrderCancelled(id, at, data, previous.Name(), note),
            _ => new OrderRefunded(id, at, data),
        };
    }

    public static PaymentData ToEventData(this Payment p) => new(
        p.Id, p.OrderId, Money.ToMajor(p.AmountMinor), p.Currency, p.Status, p.Provider, p.ProviderReference, p.FailureReason,
        Money.ToMajor(p.RefundedAmountMinor));

    public static ProductChanged Changed(this Product p, string change, DateTime at) => new(
        Guid.CreateVersion7(), at, new ProductChangedData(p.Id, p.Sku, p.Slug, change, p.IsActive, Money.ToMajor(p.PriceMinor), p.Currency));
}
