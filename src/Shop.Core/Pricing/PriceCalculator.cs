namespace Shop.Core.Pricing;

/// <summary>One line to price: an amount in minor units, and what a discount's eligibility looks at.</summary>
public sealed record PricingLine(Guid VariantId, Guid ProductId, Guid? CategoryId, long UnitPriceMinor, int Quantity)
{
    public long TotalMinor => UnitPriceMinor * Quantity;
}

/// <summary>
/// A discount as the calculator applies it. <see cref="Value"/> is a percentage (0 &lt; value &lt;= 100)
/// or an amount in minor units; <see cref="EligibleCategoryIds"/> already holds every sub-category.
/// </summary>
public sealed record DiscountTerms(DiscountType Type, decimal Value, IReadOnlySet<Guid> EligibleProductIds, IReadOnlySet<Guid> EligibleCategoryIds)
{
    public bool AppliesToEveryLine => EligibleProductIds.Count == 0 && EligibleCategoryIds.Count == 0;

    public bool IsEligible(PricingLine line) =>
        AppliesToEveryLine || EligibleProductIds.Contains(line.ProductId) || (line.CategoryId is { } c && EligibleCategoryIds.Contains(c));
}

public sealed record ShippingTerms(long PriceMinor, long? FreeAboveSubtotalMinor)
{
    /// <summary>What the method charges for this subtotal: 0 once it reaches the free-above threshold.</summary>
    public long PriceFor(long subtotalMinor) => FreeAboveSubtotalMinor is { } free && subtotalMinor >= free ? 0 : PriceMinor;
}

public sealed record TaxTerms(decimal Rate, bool AppliesToShipping);

public sealed record PricedLine(PricingLine Line, long DiscountMinor, long TaxMinor)
{
    public long TotalMinor => Line.TotalMinor;
}

/// <summary>Every amount of a priced cart or order, in minor units; each total is the sum of its rounded parts.</summary>
public sealed record PriceBreakdown(IReadOnlyList<PricedLine> Lines, long SubtotalMinor, long DiscountTotalMinor, long ShippingTotalMinor,
    long ShippingTaxMinor, long TaxTotalMinor)
{
    public long TotalMinor => SubtotalMinor - DiscountTotalMinor + ShippingTotalMinor + TaxTotalMinor;
}

/// <summary>
/// The one pricing engine, used by carts, their checkout and <c>POST /orders</c> alike. Pure: it
/// sees amounts and terms, never the database or the clock.
/// <list type="number">
/// <item>subtotal = the sum of unit price x quantity;</item>
/// <item>one discount: a percentage off each eligible line; a fixed amount shared over the eligible
/// lines in proportion to their totals (never more than they cost, never more than the amount); or
/// free shipping (when at least one line is eligible);</item>
/// <item>shipping: the method's price, or 0 once the subtotal reaches its free-above threshold;</item>
/// <item>tax: each line on its total after discount, and shipping when the rate says so;</item>
/// <item>every amount rounded half away from zero to the cent, line by line.</item>
/// </list>
/// </summary>
public static class PriceCalculator
{
    public static PriceBreakdown Price(IReadOnlyList<PricingLine> lines, DiscountTerms? discount, ShippingTerms? shipping, TaxTerms? tax)
    {
        var subtotal = lines.Sum(l => l.TotalMinor);
        var discounts = Discounts(lines, discount);

        var shippingTotal = shipping is null || discount?.Type == DiscountType.FreeShipping && lines.Any(discount.IsEligible)
            ? 0
            : shipping.PriceFor(subtotal);

        var priced = lines.Select((line, i) => new PricedLine(line, discounts[i], tax is null ? 0 : Round((line.TotalMinor - discounts[i]) * tax.Rate))).ToList();
        var shippingTax = tax is { AppliesToShipping: true } ? Round(shippingTotal * tax.Rate) : 0;
        return new PriceBreakdown(priced, subtotal, discounts.Sum(), shippingTotal, shippingTax, priced.Sum(p => p.TaxMinor) + shippingTax);
    }

    /// <summary>Half away from zero, to a whole minor unit.</summary>
    public static long Round(decimal minor) => decimal.ToInt64(decimal.Round(minor, 0, MidpointRounding.AwayFromZero));

    private static long[] Discounts(IReadOnlyList<PricingLine> lines, DiscountTerms? discount)
    {
        var discounts = new long[lines.Count];
        if (discount is null)
        {
            return discounts;
        }

        var eligible = Enumerable.Range(0, lines.Count).Where(i => discount.IsEligible(lines[i])).ToList();
        switch (discount.Type)
        {
            case DiscountType.Percentage:
                foreach (var i in eligible)
                {
                    discounts[i] = Math.Min(lines[i].TotalMinor, Round(lines[i].TotalMinor * discount.Value / 100m));
                }

                break;
            case DiscountType.FixedAmount:
                ShareInProportion(lines, eligible, discount.Value, discounts);
                break;
        }

        return discounts;
    }

    /// <summary>
    /// Splits an amount over the eligible lines in proportion to their totals, each share rounded
    /// half away from zero to the cent like every other amount. No share exceeds its line, and
    /// should rounding up make the shares add up to more than the amount (two shares of 2.5 cents),
    /// the extra cents come back from the shares rounded up the most: a code never takes off more than its value.
    /// </summary>
    private static void ShareInProportion(IReadOnlyList<PricingLine> lines, List<int> eligible, decimal amountMinor, long[] discounts)
    {
        var eligibleTotal = eligible.Sum(i => lines[i].TotalMinor);
        if (eligibleTotal == 0)
        {
            return;
        }

        var amount = Math.Min(eligibleTotal, Round(amountMinor));
        var exact = eligible.ToDictionary(i => i, i => (decimal)amount * lines[i].TotalMinor / eligibleTotal);
        foreach (var i in eligible)
        {
            discounts[i] = Math.Min(lines[i].TotalMinor, Round(exact[i]));
        }

        var excess = eligible.Sum(i => discounts[i]) - amount;
        foreach (var i in eligible.OrderByDescending(i => discounts[i] - exact[i]).ThenByDescending(i => i).Take((int)Math.Max(0, excess)))
        {
            discounts[i]--;
        }
    }
}
