using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Shop.Core.Carts;

namespace Shop.Core.Pricing;

public static class PricingSetup
{
    /// <summary>The pricing engine's inputs (discount codes, shipping methods, tax rates) and carts.</summary>
    public static IServiceCollection AddShopPricing(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<PricingSettings>();
        services.AddScoped<PriceQuoter>();
        services.AddScoped<DiscountService>();
        services.AddScoped<ShippingAndTaxService>();
        services.AddOptions<CartsOptions>().Bind(configuration.GetSection(CartsOptions.Section))
            .Validate(o => o.Lifetime > TimeSpan.Zero, "Carts:Lifetime must be positive.").ValidateOnStart();
        services.AddScoped<CartService>();
        return services;
    }
}
