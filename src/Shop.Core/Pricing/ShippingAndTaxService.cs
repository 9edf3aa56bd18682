using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Shop.Core.Caching;
using Shop.Core.Catalog;
using Shop.Core.Common;
using Shop.Core.Data;

namespace Shop.Core.Pricing;

/// <summary>Shipping methods (admins write; anyone lists the active ones) and tax rates per destination country.</summary>
public sealed class ShippingAndTaxService(ShopDbContext db, PricingSettings settings, TimeProvider clock, IOptions<CatalogOptions> catalog)
{
    private string Currency => catalog.Value.DefaultCurrency;

    public async Task<ShippingMethodResponse> CreateMethodAsync(ShippingMethodRequest request, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var method = new ShippingMethod { Name = "", CreatedAt = now };
        Apply(method, request, now);
        db.ShippingMethods.Add(method);
        db.Invalidates(CacheKeys.Tags.ShippingMethods);
        await db.SaveChangesAsync(cancellationToken);
        return method.ToSnapshot().ToResponse(Currency);
    }

    public async Task<ShippingMethodResponse> UpdateMethodAsync(Guid id, ShippingMethodRequest request, CancellationToken cancellationToken)
    {
        var method = await db.ShippingMethods.SingleOrDefaultAsync(m => m.Id == id, cancellationToken) ?? throw MethodNotFound();
        Apply(method, request, clock.GetUtcNow().UtcDateTime);
        db.Invalidates(CacheKeys.Tags.ShippingMethods);
        await db.SaveChangesAsync(cancellationToken);
        return method.ToSnapshot().ToResponse(Currency);
    }

    /// <summary>Orders keep the method's name and price, and carts that chose it simply have none again.</summary>
    public async Task DeleteMethodAsync(Guid id, CancellationToken cancellationToken)
    {
        var method = await db.ShippingMethods.SingleOrDefaultAsync(m => m.Id == id, cancellationToken) ?? throw MethodNotFound();
        db.ShippingMethods.Remove(method);
        db.Invalidates(CacheKeys.Tags.ShippingMethods);
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>One method; an inactive one only for admins.</summary>
    public async Task<ShippingMethodResponse> GetMethodAsync(Guid id, bool isAdmin, CancellationToken cancellationToken) =>
        await settings.ShippingMethodAsync(id, cancellationToken) is { } method && (method.IsActive || isAdmin)
            ? method.ToResponse(Currency)
            : throw MethodNotFound();

    /// <summary>The active methods, cheapest first; for one destination when a country is given.</summary>
    public async Task<PagedResult<ShippingMethodResponse>> ListMethodsAsync(ShippingMethodListQuery query, CancellationToken cancellationToken)
    {
        var country = query.Country?.ToUpperInvariant();
        var methods = await settings.ActiveMethodsForAsync(country, cancellationToken);
        var page = methods.Skip(query.Paging.Skip).Take(query.Paging.Size).Select(m => m.ToResponse(Currency)).ToList();
        return PagedResult.Create(page, query.Paging, methods.Count);
    }

    public async Task<TaxRateResponse> PutRateAsync(string country, TaxRateRequest request, CancellationToken cancellationToken)
    {
        country = NormalizeCountry(country);
        var rate = await db.TaxRates.SingleOrDefaultAsync(r => r.Country == country, cancellationToken);
        if (rate is null)
        {
            rate = new TaxRate { Country = country };
            db.TaxRates.Add(rate);
        }

        rate.Rate = request.Rate;
        rate.Name = UserInput(request.Name);
        rate.AppliesToShipping = request.AppliesToShipping ?? false;
        rate.UpdatedAt = clock.GetUtcNow().UtcDateTime;
        db.Invalidates(CacheKeys.Tags.TaxRates);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            throw new ConflictException($"The tax rate of {country} was set at the same moment by someone else. Send it again.", "concurrent-change");
        }

        return rate.ToResponse();
    }

    public async Task<PagedResult<TaxRateResponse>> ListRatesAsync(PageQuery paging, CancellationToken cancellationToken)
    {
        var rates = await settings.TaxRatesAsync(cancellationToken);
        return PagedResult.Create(rates.Skip(paging.Skip).Take(paging.Size).ToList(), paging, rates.Count);
    }

    public async Task<TaxRateResponse> GetRateAsync(string country, CancellationToken cancellationToken)
    {
        country = NormalizeCountry(country);
        return (await settings.TaxRatesAsync(cancellationToken)).FirstOrDefault(r => r.Country == country) ?? throw RateNotFound();
    }

    public async Task DeleteRateAsync(string country, CancellationToken cancellationToken)
    {
        country = NormalizeCountry(country);
        var rate = await db.TaxRates.SingleOrDefaultAsync(r => r.Country == country, cancellationToken) ?? throw RateNotFound();
        db.TaxRates.Remove(rate);
        db.Invalidates(CacheKeys.Tags.TaxRates);
        await db.SaveChangesAsync(cancellationToken);
    }

    private static void Apply(ShippingMethod method, ShippingMethodRequest request, DateTime now)
    {
        method.Name = request.Name.Trim();
        method.PriceMinor = Money.ToMinor(request.Price);
        method.Countries = request.Countries?.Select(c => c.ToUpperInvariant()).Distinct().Order(StringComparer.Ordinal).ToList() ?? [];
        method.FreeAboveSubtotalMinor = request.FreeAboveSubtotal is { } free ? Money.ToMinor(free) : null;
        method.IsActive = request.IsActive ?? true;
        method.UpdatedAt = now;
    }

    /// <summary>The route's country: an ISO 3166-1 alpha-2 code in either case; anything else is a 400.</summary>
    private static string NormalizeCountry(string country) => CountryCodes.IsValid(country)
        ? country.ToUpperInvariant()
        : throw new RequestValidationException("country", "The country must be an ISO 3166-1 alpha-2 code such as 'US' or 'DE'.");

    private static string? UserInput(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    private static NotFoundException MethodNotFound() => new("Shipping method not found.");

    private static NotFoundException RateNotFound() => new("No tax rate is set for this country.");
}
