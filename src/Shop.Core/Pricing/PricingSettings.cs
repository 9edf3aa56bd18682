using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Shop.Core.Caching;
using ZiggyCreatures.Caching.Fusion;

namespace Shop.Core.Pricing;

/// <summary>
/// Shipping methods and tax rates as every cart read prices them: few rows, read all the time,
/// written rarely. Each set is one cache entry (in memory, and in Redis when configured), evicted
/// everywhere by the writes that change it, like the catalog (<see cref="CacheInvalidation"/>).
/// </summary>
public sealed class PricingSettings(IFusionCache cache, IServiceScopeFactory scopes)
{
    private static readonly TimeSpan Duration = TimeSpan.FromMinutes(10);

    public async ValueTask<IReadOnlyList<ShippingMethodSnapshot>> ShippingMethodsAsync(CancellationToken cancellationToken) =>
        await cache.GetOrSetAsync<List<ShippingMethodSnapshot>>(CacheKeys.ShippingMethods, async (context, ct) =>
        {
            context.Tags = [CacheKeys.Tags.ShippingMethods];
            return await scopes.QueryAsync((db, t) => db.ShippingMethods.AsNoTracking().OrderBy(m => m.PriceMinor).ThenBy(m => m.Name).ThenBy(m => m.Id)
                .Select(m => m.ToSnapshot())
                .ToListAsync(t), ct);
        }, o => o.SetDuration(Duration), token: cancellationToken);

    /// <summary>The active methods for a destination (every active one while there is none yet), cheapest first.</summary>
    public async ValueTask<List<ShippingMethodSnapshot>> ActiveMethodsForAsync(string? country, CancellationToken cancellationToken) =>
        (await ShippingMethodsAsync(cancellationToken)).Where(m => m.IsActive && m.Serves(country)).ToList();

    public async ValueTask<ShippingMethodSnapshot?> ShippingMethodAsync(Guid id, CancellationToken cancellationToken) =>
        (await ShippingMethodsAsync(cancellationToken)).FirstOrDefault(m => m.Id == id);

    public async ValueTask<IReadOnlyList<TaxRateResponse>> TaxRatesAsync(CancellationToken cancellationToken) =>
        await cache.GetOrSetAsync<List<TaxRateResponse>>(CacheKeys.TaxRates, async (context, ct) =>
        {
            context.Tags = [CacheKeys.Tags.TaxRates];
            return await scopes.QueryAsync((db, t) => db.TaxRates.AsNoTracking().OrderBy(r => r.Country)
                .Select(r => new TaxRateResponse(r.Country, r.Rate, r.Name, r.AppliesToShipping, r.UpdatedAt))
                .ToListAsync(t), ct);
        }, o => o.SetDuration(Duration), token: cancellationToken);

    public async ValueTask<TaxTerms?> TaxForAsync(string? country, CancellationToken cancellationToken) =>
        country is null ? null
            : (await TaxRatesAsync(cancellationToken)).FirstOrDefault(r => r.Country == country) is { } rate ? new TaxTerms(rate.Rate, rate.AppliesToShipping) : null;
}

/// <summary>A shipping method as cached: what pricing and the public list need.</summary>
public sealed record ShippingMethodSnapshot(
    Guid Id, string Name, long PriceMinor, List<string> Countries, long? FreeAboveSubtotalMinor, bool IsActive, DateTime CreatedAt, DateTime UpdatedAt)
{
    /// <summary>
    /// Whether it ships to the country. Without a destination yet (a cart with no address) any
    /// method may be chosen: the address, when it comes, decides (checkout needs one).
    /// </summary>
    public bool Serves(string? country) => country is null || Countries.Count == 0 || Countries.Contains(country, StringComparer.Ordinal);

    public ShippingTerms ToTerms() => new(PriceMinor, FreeAboveSubtotalMinor);
}
