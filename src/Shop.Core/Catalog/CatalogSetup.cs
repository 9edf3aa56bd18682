using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Shop.Core.Catalog;

public sealed class CatalogOptions
{
    public const string Section = "Catalog";

    /// <summary>The currency of a product created or replaced without one.</summary>
    public string DefaultCurrency { get; set; } = "USD";

    /// <summary>How long browsers and CDNs may keep an anonymous catalog answer (<c>Cache-Control: public, max-age</c>).</summary>
    public int HttpCacheSeconds { get; set; } = 30;
}

public static class CatalogSetup
{
    public static IServiceCollection AddShopCatalog(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SeedOptions>().Bind(configuration.GetSection(SeedOptions.Section));
        services.AddOptions<CatalogOptions>().Bind(configuration.GetSection(CatalogOptions.Section))
            .Validate(o => CurrencyCodes.IsValid(o.DefaultCurrency), "Catalog:DefaultCurrency must be an ISO 4217 currency code such as 'USD'.")
            .Validate(o => o.HttpCacheSeconds is >= 0 and <= 86_400, "Catalog:HttpCacheSeconds must be between 0 and 86400.")
            .ValidateOnStart();
        services.AddScoped<CategoryService>();
        services.AddScoped<ProductService>();
        services.AddScoped<InventoryService>();
        services.AddScoped<CatalogSeeder>();
        return services;
    }
}
