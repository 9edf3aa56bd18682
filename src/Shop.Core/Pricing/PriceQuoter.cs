using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Shop.Core.Catalog;
using Shop.Core.Common;
using Shop.Core.Data;

namespace Shop.Core.Pricing;

/// <summary>What to price: the lines, the destination, and the customer's choices.</summary>
public sealed record QuoteInput(IReadOnlyList<PricingLine> Lines, string Currency, string? Country, Guid? ShippingMethodId, string? DiscountCode, Guid? CustomerId);

/// <summary>How strictly a quote treats a choice that does not apply.</summary>
public enum QuoteMode
{
    /// <summary>A cart being read: a method or code that no longer applies is left out of the price.</summary>
    Browse,

    /// <summary>A change to a cart: a method or code that does not apply is a 400 naming the field.</summary>
    Change,

    /// <summary>An order being placed: as <see cref="Change"/>, and a code used up (or used by this customer) is a 409 <c>discount-unavailable</c>.</summary>
    Checkout,
}

/// <summary>A priced cart or order, with the discount and shipping method that priced it.</summary>
public sealed record Quote(PriceBreakdown Price, Discount? Discount, ShippingMethodSnapshot? ShippingMethod);

/// <summary>
/// Gathers what <see cref="PriceCalculator"/> needs (the discount by its code, the shipping method,
/// the destination's tax rate, the categories a discount covers) and checks the customer's choices
/// against the rules of API.md. Shipping methods and tax rates come from the cache (<see cref="PricingSettings"/>);
/// the discount is read from the database, since its use count changes with every order.
/// </summary>
public sealed class PriceQuoter(ShopDbContext db, PricingSettings settings, CategoryTree categories, TimeProvider clock, IOptions<CatalogOptions> catalog)
{
    public async Task<Quote> QuoteAsync(QuoteInput input, QuoteMode mode, CancellationToken cancellationToken)
    {
        var subtotal = input.Lines.Sum(l => l.TotalMinor);
        var errors = new Dictionary<string, string[]>();
        var method = await ShippingMethodAsync(input, errors, cancellationToken);
        var (discount, terms) = await DiscountAsync(input, subtotal, mode, errors, cancellationToken);
        if (errors.Count > 0 && mode != QuoteMode.Browse)
        {
            throw new RequestValidationException(errors, string.Join(" ", errors.Values.SelectMany(m => m)));
        }

        var tax = await settings.TaxForAsync(input.Country, cancellationToken);
        var price = PriceCalculator.Price(input.Lines, terms, method?.ToTerms(), tax);
        return new Quote(price, discount, method);
    }

    private async Task<ShippingMethodSnapshot?> ShippingMethodAsync(QuoteInput input, Dictionary<string, string[]> errors, CancellationToken cancellationToken)
    {
        if (input.ShippingMethodId is not { } id)
        {
            return null;
        }

        var method = await settings.ShippingMethodAsync(id, cancellationToken);
        var problem = method switch
        {
            null or { IsActive: false } => "No active shipping method has this id.",
            _ when !method.Serves(input.Country) => $"This shipping method does not ship to {input.Country}.",
            _ when input.Currency != catalog.Value.DefaultCurrency => $"Shipping methods are priced in {catalog.Value.DefaultCurrency}, not {input.Currency}.",
            _ => null,
        };
        if (problem is null)
        {
            return method;
        }

        errors["shippingMethodId"] = [problem];
        return null;
    }

    private async Task<(Discount?, DiscountTerms?)> DiscountAsync(
        QuoteInput input, long subtotal, QuoteMode mode, Dictionary<string, string[]> errors, CancellationToken cancellationToken)
    {
        if (input.DiscountCode is not { } code)
        {
            return (null, null);
        }

        var normalized = Discount.Normalize(code);
        var discount = await db.Discounts.AsNoTracking().SingleOrDefaultAsync(d => d.NormalizedCode == normalized, cancellationToken);
        var usedByCustomer = discount is { OncePerCustomer: true } && input.CustomerId is { } customer
            && await db.DiscountRedemptions.AnyAsync(r => r.DiscountId == discount.Id && r.UserId == customer, cancellationToken);
        var problem = DiscountRules.Check(discount, subtotal, input.Currency, catalog.Value.DefaultCurrency, usedByCustomer, clock.GetUtcNow().UtcDateTime);
        if (problem is null)
        {
            var terms = await TermsAsync(discount!, cancellationToken);
            if (mode == QuoteMode.Checkout && discount!.Type != DiscountType.FreeShipping && !input.Lines.Any(terms.IsEligible))
            {
                errors["discountCode"] = ["This code applies to none of the items."];
                return (null, null);
            }

            return (discount, terms);
        }

        if (mode == QuoteMode.Checkout && problem.Value.Kind is DiscountProblem.UsedUp or DiscountProblem.UsedByCustomer)
        {
            throw DiscountUses.Unavailable(problem.Value.Message);
        }

        errors["discountCode"] = [problem.Value.Message];
        return (null, null);
    }

    private async Task<DiscountTerms> TermsAsync(Discount discount, CancellationToken cancellationToken)
    {
        var categoryIds = new HashSet<Guid>();
        foreach (var id in discount.CategoryIds)
        {
            categoryIds.UnionWith(await categories.SubtreeIdsAsync(id, cancellationToken));
        }

        // A percentage is stored in hundredths of a percent, an amount in minor units: the calculator takes percent and minor units.
        var value = discount.Type == DiscountType.FixedAmount ? discount.ValueHundredths : discount.ValueHundredths / 100m;
        return new DiscountTerms(discount.Type, value, discount.ProductIds.ToHashSet(), categoryIds);
    }
}

public enum DiscountProblem
{
    Unknown,
    Inactive,
    NotStarted,
    Expired,
    UsedUp,
    BelowMinimum,
    UsedByCustomer,
    OtherCurrency,
}

/// <summary>Whether a code can be used now, and if not, the reason a customer is told (errors.discountCode).</summary>
public static class DiscountRules
{
    public static (DiscountProblem Kind, string Message)? Check(Discount? discount, long subtotalMinor, string currency, string discountCurrency, bool usedByCustomer, DateTime now) =>
        discount switch
        {
            null => (DiscountProblem.Unknown, "No discount has this code."),
            { IsActive: false } => (DiscountProblem.Inactive, "This code is not active."),
            { StartsAt: { } starts } when now < starts => (DiscountProblem.NotStarted, "This code is not valid yet."),
            { EndsAt: { } ends } when now >= ends => (DiscountProblem.Expired, "This code has expired."),
            { UsageLimit: { } limit } when discount.UsageCount >= limit => (DiscountProblem.UsedUp, "This code has been used up."),
            _ when usedByCustomer => (DiscountProblem.UsedByCustomer, "You have already used this code."),
            _ when currency != discountCurrency && (discount.Type == DiscountType.FixedAmount || discount.MinSubtotalMinor is not null) =>
                (DiscountProblem.OtherCurrency, $"This code's amounts are in {discountCurrency}, not {currency}."),
            { MinSubtotalMinor: { } min } when subtotalMinor < min =>
                (DiscountProblem.BelowMinimum, $"This code needs a subtotal of at least {Money.ToMajor(min):0.00} {discountCurrency}."),
            _ => null,
        };
}
