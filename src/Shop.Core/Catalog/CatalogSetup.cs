using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Shop.Core.Data;

namespace Shop.Core.Catalog;

public sealed class CatalogOptions
{
    public const string Section = "Catalog";

    /// <summary>The currency of a product created or replaced without one.</summary>
    public string DefaultCurrency { get; set; } = "USD";

    /// <summary>How long browsers and CDNs may keep an anonymous catalog answer (<c>Cache-Control: public, max-age</c>).</summary>
    public int HttpCacheSeconds { get; set; } = 30;

    /// <summary>
    /// How long a page of the anonymous product list stays in the server's cache. Writes evict pages
    /// at once; this bounds how long a page nobody asks for again holds memory.
    /// </summary>
    public TimeSpan ListCacheDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Keep product details and list pages in the data cache. Off, every read queries the database:
    /// for measuring the uncached path (bench/hotpaths.sh) or ruling the cache out while diagnosing.
    /// </summary>
    public bool CacheReads { get; set; } = true;
}

public static class CatalogSetup
{
    public static IServiceCollection AddShopCatalog(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SeedOptions>().Bind(configuration.GetSection(SeedOptions.Section));
        services.AddOptions<CatalogOptions>().Bind(configuration.GetSection(CatalogOptions.Section))
            .Validate(o => CurrencyCodes.IsValid(o.DefaultCurrency), "Catalog:DefaultCurrency must be an ISO 4217 currency code such as 'USD'.")
            .Validate(o => o.HttpCacheSeconds is >= 0 and <= 86_400, "Catalog:HttpCacheSeconds must be between 0 and 86400.")
            .Validate(o => o.ListCacheDuration > TimeSpan.Zero && o.ListCacheDuration <= TimeSpan.FromHours(1), "Catalog:ListCacheDuration must be above 0 and at most 01:00:00.")
            .ValidateOnStart();
        services.AddShopCatalogReads(configuration);
        services.AddSingleton<CategoryTree>();
        services.AddScoped<CategoryService>();
        services.AddSingleton<ProductCache>();
        services.AddSingleton<ProductCatalog>();
        services.AddScoped<ProductService>();
        services.AddScoped<InventoryService>();
        services.AddScoped<VariantService>();
        services.AddScoped<CatalogSeeder>();
        services.AddSingleton<CatalogBulkSeeder>();
        return services;
    }
}
