using System.Text.RegularExpressions;
using FluentValidation;
using Shop.Core.Catalog;
using Shop.Core.Common;

namespace Shop.Core.Pricing;

public sealed partial class DiscountRequestValidator : AbstractValidator<DiscountRequest>
{
    public DiscountRequestValidator()
    {
        RuleFor(x => x.Code).NotEmpty().Length(PricingLimits.CodeMinLength, PricingLimits.CodeMaxLength)
            .Matches(CodePattern()).WithMessage("'{PropertyName}' may contain letters, digits, '_' and '-' only.");
        RuleFor(x => x.Type).NotEmpty().Must(t => DiscountTypes.TryParse(t, out _))
            .WithMessage($"'type' must be one of {string.Join(", ", DiscountTypes.All)}.");
        RuleFor(x => x.Value).NotNull().GreaterThan(0).LessThanOrEqualTo(100)
            .Must(v => v is null || Money.HasAtMostTwoDecimals(v.Value)).WithMessage("'{PropertyName}' must have at most 2 decimal places.")
            .When(x => x.Type == DiscountType.Percentage.Name());
        RuleFor(x => x.Value).NotNull().Price().GreaterThan(0).When(x => x.Type == DiscountType.FixedAmount.Name());
        RuleFor(x => x.Value).Null().When(x => x.Type == DiscountType.FreeShipping.Name())
            .WithMessage("A free_shipping discount has no 'value'.");
        RuleFor(x => x.MinSubtotal).Price();
        RuleFor(x => x.EndsAt).GreaterThan(x => x.StartsAt).When(x => x.StartsAt is not null && x.EndsAt is not null)
            .WithMessage("'endsAt' must be after 'startsAt'.");
        RuleFor(x => x.UsageLimit).GreaterThanOrEqualTo(1);
        RuleFor(x => x.ProductIds).Must(ids => ids is null || ids.Count <= PricingLimits.MaxEligibleIds)
            .WithMessage($"At most {PricingLimits.MaxEligibleIds} ids.");
        RuleFor(x => x.CategoryIds).Must(ids => ids is null || ids.Count <= PricingLimits.MaxEligibleIds)
            .WithMessage($"At most {PricingLimits.MaxEligibleIds} ids.");
    }

    [GeneratedRegex("^[A-Za-z0-9_-]+$")]
    private static partial Regex CodePattern();
}

public sealed class DiscountListQueryValidator : AbstractValidator<DiscountListQuery>
{
    public DiscountListQueryValidator()
    {
        this.ValidatePaging(q => q.Page, q => q.PageSize);
        RuleFor(x => x.Code).MaximumLength(PricingLimits.CodeMaxLength);
    }
}

public sealed class ShippingMethodRequestValidator : AbstractValidator<ShippingMethodRequest>
{
    public ShippingMethodRequestValidator()
    {
        RuleFor(x => x.Name).RequiredText(PricingLimits.ShippingMethodName);
        RuleFor(x => x.Price).Price();
        RuleFor(x => x.FreeAboveSubtotal).Price();
        RuleFor(x => x.Countries).Must(c => c is null || c.Count <= PricingLimits.MaxCountries)
            .WithMessage($"At most {PricingLimits.MaxCountries} countries.");
        RuleForEach(x => x.Countries).Must(CountryCodes.IsValid)
            .WithMessage("Each country must be an ISO 3166-1 alpha-2 code such as 'US' or 'DE'.");
    }
}

public sealed class ShippingMethodListQueryValidator : AbstractValidator<ShippingMethodListQuery>
{
    public ShippingMethodListQueryValidator()
    {
        this.ValidatePaging(q => q.Page, q => q.PageSize);
        RuleFor(x => x.Country).Must(CountryCodes.IsValid).When(x => x.Country is not null)
            .WithMessage("'country' must be an ISO 3166-1 alpha-2 code such as 'US' or 'DE'.");
    }
}

public sealed class TaxRateRequestValidator : AbstractValidator<TaxRateRequest>
{
    public TaxRateRequestValidator()
    {
        RuleFor(x => x.Rate).InclusiveBetween(0, 1)
            .Must(r => decimal.Round(r, PricingLimits.MaxTaxRateDecimals) == r)
            .WithMessage($"'rate' must have at most {PricingLimits.MaxTaxRateDecimals} decimal places.");
        RuleFor(x => x.Name).OptionalText(PricingLimits.TaxRateName);
    }
}
