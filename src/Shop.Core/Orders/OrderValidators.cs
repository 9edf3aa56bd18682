using FluentValidation;
using Shop.Core.Common;
using Shop.Core.Users;

namespace Shop.Core.Orders;

public sealed class PlaceOrderRequestValidator : AbstractValidator<PlaceOrderRequest>
{
    public PlaceOrderRequestValidator()
    {
        RuleFor(x => x.Items).NotEmpty().Must(i => i is null || i.Count <= OrderLimits.MaxLines)
            .WithMessage($"An order has at most {OrderLimits.MaxLines} lines.");
        RuleForEach(x => x.Items).NotNull().WithMessage("An order line cannot be null.").ChildRules(item =>
        {
            item.RuleFor(i => i).Must(i => i.ProductId is not null || i.VariantId is not null).OverridePropertyName("productId")
                .WithMessage("Name the product (productId) or the variant (variantId).");
            item.RuleFor(i => i.ProductId).NotEqual(Guid.Empty);
            item.RuleFor(i => i.VariantId).NotEqual(Guid.Empty);
            item.RuleFor(i => i.Quantity).InclusiveBetween(1, OrderLimits.MaxQuantity);
        }).When(x => x.Items is not null);
        RuleFor(x => x.ShippingAddress).SetValidator(new AddressRequestValidator()!).When(x => x.ShippingAddress is not null);
        RuleFor(x => x).Must(x => (x.ShippingAddress is null) != (x.ShippingAddressId is null))
            .OverridePropertyName("shippingAddress")
            .WithMessage("Send either 'shippingAddress' or 'shippingAddressId', exactly one of them.");
        RuleFor(x => x.ShippingMethodId).NotEqual(Guid.Empty);
        RuleFor(x => x.DiscountCode).NotEmpty().MaximumLength(Pricing.PricingLimits.CodeMaxLength).When(x => x.DiscountCode is not null);
    }
}

public sealed class ChangeOrderStatusRequestValidator : AbstractValidator<ChangeOrderStatusRequest>
{
    public ChangeOrderStatusRequestValidator()
    {
        RuleFor(x => x.Status).NotEmpty().Must(s => OrderStatuses.TryParse(s, out _))
            .WithMessage($"'status' must be one of {string.Join(", ", OrderStatuses.All)}.");
        RuleFor(x => x.Carrier).RequiredText(OrderLimits.Carrier).When(x => x.Status == OrderStatus.Shipped.Name());
        RuleFor(x => x.TrackingNumber).RequiredText(OrderLimits.TrackingNumber).When(x => x.Status == OrderStatus.Shipped.Name());
        RuleFor(x => x.Carrier).MaximumLength(OrderLimits.Carrier);
        RuleFor(x => x.TrackingNumber).MaximumLength(OrderLimits.TrackingNumber);
        RuleFor(x => x.Note).MaximumLength(OrderLimits.Note);
    }
}

public sealed class CancelOrderRequestValidator : AbstractValidator<CancelOrderRequest>
{
    public CancelOrderRequestValidator() => RuleFor(x => x.Reason).MaximumLength(OrderLimits.Note);
}

public sealed class OrderListQueryValidator : AbstractValidator<OrderListQuery>
{
    public OrderListQueryValidator()
    {
        this.ValidatePaging(q => q.Page, q => q.PageSize);
        RuleFor(x => x.Status).Must(s => OrderStatuses.TryParse(s, out _)).When(x => x.Status is not null)
            .WithMessage($"'status' must be one of {string.Join(", ", OrderStatuses.All)}.");
    }
}
