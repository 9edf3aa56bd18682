using FluentValidation;
using Shop.Core.Common;
using Shop.Core.Orders;
using Shop.Core.Pricing;
using Shop.Core.Users;

namespace Shop.Core.Carts;

public sealed class CreateCartRequestValidator : AbstractValidator<CreateCartRequest>
{
    public CreateCartRequestValidator() => RuleFor(x => x.Email!).ValidEmail().When(x => x.Email is not null);
}

public sealed class AddCartItemRequestValidator : AbstractValidator<AddCartItemRequest>
{
    public AddCartItemRequestValidator()
    {
        RuleFor(x => x).Must(x => x.ProductId is not null || x.VariantId is not null).OverridePropertyName("variantId")
            .WithMessage("Name the variant (variantId) or a product that has only one (productId).");
        RuleFor(x => x.ProductId).NotEqual(Guid.Empty);
        RuleFor(x => x.VariantId).NotEqual(Guid.Empty);
        RuleFor(x => x.Quantity).InclusiveBetween(1, OrderLimits.MaxQuantity);
    }
}

public sealed class UpdateCartItemRequestValidator : AbstractValidator<UpdateCartItemRequest>
{
    public UpdateCartItemRequestValidator() =>
        RuleFor(x => x.Quantity).InclusiveBetween(0, OrderLimits.MaxQuantity).WithMessage($"'quantity' must be between 0 (removes the line) and {OrderLimits.MaxQuantity}.");
}

public sealed class UpdateCartRequestValidator : AbstractValidator<UpdateCartRequest>
{
    public UpdateCartRequestValidator()
    {
        RuleFor(x => x.Email!).ValidEmail().When(x => x.Email is not null);
        RuleFor(x => x.ShippingAddress).SetValidator(new AddressRequestValidator()!).When(x => x.ShippingAddress is not null);
        RuleFor(x => x).Must(x => x.ShippingAddress is null || x.ShippingAddressId is null).OverridePropertyName("shippingAddress")
            .WithMessage("Send either 'shippingAddress' or 'shippingAddressId', not both.");
        RuleFor(x => x.ShippingAddressId).NotEqual(Guid.Empty);
        RuleFor(x => x.ShippingMethodId).NotEqual(Guid.Empty);
        RuleFor(x => x.DiscountCode).NotEmpty().MaximumLength(PricingLimits.CodeMaxLength).When(x => x.DiscountCode is not null);
    }
}

public sealed class CartShippingMethodsQueryValidator : AbstractValidator<CartShippingMethodsQuery>
{
    public CartShippingMethodsQueryValidator() => this.ValidatePaging(q => q.Page, q => q.PageSize);
}
