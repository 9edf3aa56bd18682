using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Shop.Core.Catalog;

public sealed class CatalogOptions
{
    public const string Section = "Catalog";

    /// <summary>The currency of a product created or replaced without one.</summary>
    public string DefaultCurrency { get; set; } = "USD";
}

public static class CatalogSetup
{
    public static IServiceCollection AddShopCatalog(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SeedOptions>().Bind(configuration.GetSection(SeedOptions.Section));
        services.AddOptions<CatalogOptions>().Bind(configuration.GetSection(CatalogOptions.Section))
            .Validate(o => CurrencyCodes.IsValid(o.DefaultCurrency), "Catalog:DefaultCurrency must be an ISO 4217 currency code such as 'USD'.")
            .ValidateOnStart();
        services.AddScoped<CategoryService>();
        services.AddScoped<ProductService>();
        services.AddScoped<InventoryService>();
        services.AddScoped<CatalogSeeder>();
        return services;
    }
}
