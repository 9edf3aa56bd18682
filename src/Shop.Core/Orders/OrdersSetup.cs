using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Shop.Core.Common;

namespace Shop.Core.Orders;

public static class OrdersSetup
{
    /// <summary>Checkout, the order lifecycle and the Idempotency-Key store.</summary>
    public static IServiceCollection AddShopOrders(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<OrdersOptions>().Bind(configuration.GetSection(OrdersOptions.Section))
            .Validate(o => o.PaymentTimeout > TimeSpan.Zero, "Orders:PaymentTimeout must be positive.").ValidateOnStart();
        services.AddScoped<IdempotencyService>();
        services.AddScoped<OrderService>();
        return services;
    }
}
