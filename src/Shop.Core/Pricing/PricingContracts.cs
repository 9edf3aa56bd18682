using System.Text.Json.Serialization;
using Shop.Core.Catalog;
using Shop.Core.Common;

namespace Shop.Core.Pricing;

/// <summary>Creates or replaces a discount code; absent optional fields mean "no such limit".</summary>
public sealed record DiscountRequest(
    string Code, string Type, decimal? Value, decimal? MinSubtotal, DateTime? StartsAt, DateTime? EndsAt, int? UsageLimit,
    bool? OncePerCustomer, List<Guid>? ProductIds, List<Guid>? CategoryIds, bool? IsActive);

public sealed record DiscountResponse(
    Guid Id, string Code, string Type, decimal? Value, decimal? MinSubtotal, DateTime? StartsAt, DateTime? EndsAt, int? UsageLimit,
    int UsageCount, bool OncePerCustomer, IReadOnlyList<Guid> ProductIds, IReadOnlyList<Guid> CategoryIds, bool IsActive,
    string Currency, DateTime CreatedAt, DateTime UpdatedAt);

public sealed record DiscountListQuery(string? Code, bool? IsActive, int? Page, int? PageSize)
{
    public PageQuery Paging => new(Page, PageSize);
}

public sealed record ShippingMethodRequest(string Name, [property: JsonRequired] decimal Price, List<string>? Countries, decimal? FreeAboveSubtotal, bool? IsActive);

public sealed record ShippingMethodResponse(
    Guid Id, string Name, decimal Price, string Currency, IReadOnlyList<string> Countries, decimal? FreeAboveSubtotal, bool IsActive,
    DateTime CreatedAt, DateTime UpdatedAt);

public sealed record ShippingMethodListQuery(string? Country, int? Page, int? PageSize)
{
    public PageQuery Paging => new(Page, PageSize);
}

public sealed record TaxRateRequest([property: JsonRequired] decimal Rate, string? Name, bool? AppliesToShipping);

public sealed record TaxRateResponse(string Country, decimal Rate, string? Name, bool AppliesToShipping, DateTime UpdatedAt);

public static class PricingLimits
{
    public const int CodeMinLength = 3;
    public const int CodeMaxLength = 40;
    public const int ShippingMethodName = 100;
    public const int TaxRateName = 100;
    public const int MaxEligibleIds = 100;
    public const int MaxCountries = 250;
    public const int MaxTaxRateDecimals = 6;
}

public static class PricingMappings
{
    public static DiscountResponse ToResponse(this Discount d, string currency) => new(
        d.Id, d.Code, d.Type.Name(), d.Type == DiscountType.FreeShipping ? null : d.ValueHundredths / 100m,
        d.MinSubtotalMinor is { } min ? Money.ToMajor(min) : null, d.StartsAt, d.EndsAt, d.UsageLimit, d.UsageCount, d.OncePerCustomer,
        d.ProductIds, d.CategoryIds, d.IsActive, currency, d.CreatedAt, d.UpdatedAt);

    public static ShippingMethodSnapshot ToSnapshot(this ShippingMethod m) =>
        new(m.Id, m.Name, m.PriceMinor, m.Countries, m.FreeAboveSubtotalMinor, m.IsActive, m.CreatedAt, m.UpdatedAt);

    public static ShippingMethodResponse ToResponse(this ShippingMethodSnapshot m, string currency) => new(
        m.Id, m.Name, Money.ToMajor(m.PriceMinor), currency, m.Countries,
        m.FreeAboveSubtotalMinor is { } free ? Money.ToMajor(free) : null, m.IsActive, m.CreatedAt, m.UpdatedAt);

    public static TaxRateResponse ToResponse(this TaxRate t) => new(t.Country, t.Rate, t.Name, t.AppliesToShipping, t.UpdatedAt);
}
