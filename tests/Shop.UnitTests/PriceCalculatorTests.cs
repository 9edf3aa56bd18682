using Shop.Core.Pricing;

namespace Shop.UnitTests;

/// <summary>The pricing engine (API.md, "Carts and pricing"): worked examples, then properties over random carts.</summary>
public class PriceCalculatorTests
{
    private static readonly Guid Shoes = Guid.NewGuid();
    private static readonly Guid Running = Guid.NewGuid();

    private static PricingLine Line(long unitMinor, int quantity, Guid? productId = null, Guid? categoryId = null) =>
        new(Guid.NewGuid(), productId ?? Guid.NewGuid(), categoryId, unitMinor, quantity);

    private static DiscountTerms Discount(DiscountType type, decimal value, Guid[]? products = null, Guid[]? categories = null) =>
        new(type, value, (products ?? []).ToHashSet(), (categories ?? []).ToHashSet());

    [Fact]
    public void Without_discount_shipping_or_tax_the_total_is_the_subtotal()
    {
        var price = PriceCalculator.Price([Line(1999, 2), Line(500, 1)], null, null, null);
        Assert.Equal((4498L, 0L, 0L, 0L, 4498L), (price.SubtotalMinor, price.DiscountTotalMinor, price.ShippingTotalMinor, price.TaxTotalMinor, price.TotalMinor));
    }

    [Fact]
    public void A_percentage_comes_off_each_line_rounded_half_away_from_zero()
    {
        // 15% of 33.33 = 4.9995 -> 5.00; 15% of 10.10 = 1.515 -> 1.52.
        var price = PriceCalculator.Price([Line(3333, 1), Line(1010, 1)], Discount(DiscountType.Percentage, 15), null, null);
        Assert.Equal([500L, 152L], price.Lines.Select(l => l.DiscountMinor));
        Assert.Equal(652, price.DiscountTotalMinor);
        Assert.Equal(4343 - 652, price.TotalMinor);
    }

    [Fact]
    public void A_fixed_amount_is_shared_in_proportion_to_the_eligible_lines()
    {
        // 10.00 over 20.00 and 30.00: 4.00 and 6.00.
        var price = PriceCalculator.Price([Line(2000, 1), Line(3000, 1)], Discount(DiscountType.FixedAmount, 1000), null, null);
        Assert.Equal([400L, 600L], price.Lines.Select(l => l.DiscountMinor));

        // 10.00 over three lines of 10.00: 3.333.. each rounds to 3.33; the total is the sum of the rounded shares.
        var thirds = PriceCalculator.Price([Line(1000, 1), Line(1000, 1), Line(1000, 1)], Discount(DiscountType.FixedAmount, 1000), null, null);
        Assert.Equal([333L, 333L, 333L], thirds.Lines.Select(l => l.DiscountMinor));
        Assert.Equal(999, thirds.DiscountTotalMinor);
    }

    [Fact]
    public void Rounding_up_never_takes_off_more_than_the_codes_value()
    {
        // 0.05 over two lines of 1.00: 2.5 cents each would round to 3 + 3 = 6 cents; one cent comes back.
        var price = PriceCalculator.Price([Line(100, 1), Line(100, 1)], Discount(DiscountType.FixedAmount, 5), null, null);
        Assert.Equal(5, price.DiscountTotalMinor);
        Assert.All(price.Lines, l => Assert.InRange(l.DiscountMinor, 2, 3));
    }

    [Fact]
    public void A_fixed_amount_larger_than_the_eligible_lines_takes_off_what_they_cost_and_no_more()
    {
        var price = PriceCalculator.Price([Line(1500, 1, Shoes), Line(4000, 1)], Discount(DiscountType.FixedAmount, 5000, products: [Shoes]), null, null);
        Assert.Equal([1500L, 0L], price.Lines.Select(l => l.DiscountMinor));
        Assert.Equal(4000, price.TotalMinor);
    }

    [Fact]
    public void Only_lines_of_the_named_products_or_categories_are_eligible()
    {
        var subCategory = Guid.NewGuid();
        // The caller passes the categories' whole subtrees: Running holds subCategory.
        var terms = Discount(DiscountType.Percentage, 50, products: [Shoes], categories: [Running, subCategory]);
        var price = PriceCalculator.Price([Line(1000, 1, Shoes), Line(2000, 1, categoryId: subCategory), Line(4000, 1, categoryId: Guid.NewGuid()), Line(800, 1)],
            terms, null, null);
        Assert.Equal([500L, 1000L, 0L, 0L], price.Lines.Select(l => l.DiscountMinor));
    }

    [Fact]
    public void Shipping_is_free_once_the_subtotal_reaches_the_threshold_not_before()
    {
        var shipping = new ShippingTerms(499, 5000);
        Assert.Equal(499, PriceCalculator.Price([Line(4999, 1)], null, shipping, null).ShippingTotalMinor);
        Assert.Equal(0, PriceCalculator.Price([Line(5000, 1)], null, shipping, null).ShippingTotalMinor);
        // The threshold looks at the subtotal, before any discount.
        Assert.Equal(0, PriceCalculator.Price([Line(5000, 1)], Discount(DiscountType.Percentage, 50), shipping, null).ShippingTotalMinor);
    }

    [Fact]
    public void A_free_shipping_code_makes_shipping_zero_and_takes_nothing_off_the_lines()
    {
        var price = PriceCalculator.Price([Line(2000, 1)], Discount(DiscountType.FreeShipping, 0), new ShippingTerms(1499, null), null);
        Assert.Equal((0L, 0L, 2000L), (price.ShippingTotalMinor, price.DiscountTotalMinor, price.TotalMinor));

        // Restricted to a product the cart does not hold, it does not apply.
        var other = PriceCalculator.Price([Line(2000, 1)], Discount(DiscountType.FreeShipping, 0, products: [Shoes]), new ShippingTerms(1499, null), null);
        Assert.Equal(1499, other.ShippingTotalMinor);
    }

    [Fact]
    public void Tax_is_charged_on_each_line_after_its_discount_and_on_shipping_only_when_the_rate_says_so()
    {
        // 20%: line 10.00 - 1.00 = 9.00 -> 1.80; line 5.55 - 0.56 (10% of 5.55 = 0.555 -> 0.56) = 4.99 -> 0.998 -> 1.00.
        var lines = new[] { Line(1000, 1), Line(555, 1) };
        var withShipping = PriceCalculator.Price(lines, Discount(DiscountType.Percentage, 10), new ShippingTerms(499, null), new TaxTerms(0.2m, true));
        Assert.Equal([180L, 100L], withShipping.Lines.Select(l => l.TaxMinor));
        Assert.Equal(100, withShipping.ShippingTaxMinor); // 4.99 x 0.2 = 0.998 -> 1.00
        Assert.Equal(380, withShipping.TaxTotalMinor);
        Assert.Equal(1555 - 156 + 499 + 380, withShipping.TotalMinor);

        var withoutShipping = PriceCalculator.Price(lines, Discount(DiscountType.Percentage, 10), new ShippingTerms(499, null), new TaxTerms(0.2m, false));
        Assert.Equal((0L, 280L), (withoutShipping.ShippingTaxMinor, withoutShipping.TaxTotalMinor));
    }

    [Fact]
    public void Odd_cents_of_tax_round_half_away_from_zero_line_by_line()
    {
        // 8.25% of 1.00 = 0.0825 -> 0.08; of 0.30 = 0.02475 -> 0.02; of 6.00 = 0.495 -> 0.50.
        var price = PriceCalculator.Price([Line(100, 1), Line(30, 1), Line(600, 1)], null, null, new TaxTerms(0.0825m, false));
        Assert.Equal([8L, 2L, 50L], price.Lines.Select(l => l.TaxMinor));
        Assert.Equal(60, price.TaxTotalMinor);
    }

    [Fact]
    public void A_hundred_percent_off_with_free_shipping_costs_nothing()
    {
        var price = PriceCalculator.Price([Line(1234, 3)], Discount(DiscountType.Percentage, 100), null, new TaxTerms(0.2m, true));
        Assert.Equal((3702L, 0L, 0L), (price.DiscountTotalMinor, price.TaxTotalMinor, price.TotalMinor));
    }

    [Fact]
    public void Over_random_carts_the_amounts_always_add_up_and_no_discount_exceeds_its_lines()
    {
        var random = new Random(18);
        for (var run = 0; run < 5000; run++)
        {
            var categories = Enumerable.Range(0, 3).Select(_ => Guid.NewGuid()).ToArray();
            var products = Enumerable.Range(0, 4).Select(_ => Guid.NewGuid()).ToArray();
            var lines = Enumerable.Range(0, random.Next(1, 7))
                .Select(_ => Line(random.Next(1, 100_000), random.Next(1, 20), products[random.Next(products.Length)], random.Next(4) == 0 ? null : categories[random.Next(3)]))
                .ToList();
            var type = (DiscountType)random.Next(3);
            DiscountTerms? discount = random.Next(4) == 0 ? null : Discount(type,
                type == DiscountType.Percentage ? random.Next(1, 10_001) / 100m : random.Next(1, 500_000),
                random.Next(2) == 0 ? [] : [products[random.Next(products.Length)]],
                random.Next(2) == 0 ? [] : [categories[random.Next(3)]]);
            ShippingTerms? shipping = random.Next(3) == 0 ? null : new ShippingTerms(random.Next(0, 3000), random.Next(2) == 0 ? null : random.Next(0, 200_000));
            TaxTerms? tax = random.Next(3) == 0 ? null : new TaxTerms(random.Next(0, 300_001) / 1_000_000m, random.Next(2) == 0);

            var price = PriceCalculator.Price(lines, discount, shipping, tax);

            Assert.Equal(price.SubtotalMinor - price.DiscountTotalMinor + price.ShippingTotalMinor + price.TaxTotalMinor, price.TotalMinor);
            Assert.Equal(lines.Sum(l => l.TotalMinor), price.SubtotalMinor);
            Assert.Equal(price.Lines.Sum(l => l.DiscountMinor), price.DiscountTotalMinor);
            Assert.Equal(price.Lines.Sum(l => l.TaxMinor) + price.ShippingTaxMinor, price.TaxTotalMinor);
            Assert.All(price.Lines, l => Assert.InRange(l.DiscountMinor, 0, l.TotalMinor));
            Assert.All(price.Lines.Where(l => discount is null || !discount.IsEligible(l.Line)), l => Assert.Equal(0, l.DiscountMinor));
            Assert.True(price.TotalMinor >= 0);
            if (discount is { Type: DiscountType.FixedAmount })
            {
                Assert.True(price.DiscountTotalMinor <= discount.Value, $"fixed {discount.Value} took off {price.DiscountTotalMinor}");
            }
        }
    }
}
