using Microsoft.Extensions.DependencyInjection;
using Shop.Core.Common;

namespace Shop.Core.Orders;

public static class OrdersSetup
{
    public static IServiceCollection AddShopOrders(this IServiceCollection services)
    {
        services.AddScoped<IdempotencyService>();
        services.AddScoped<OrderService>();
        return services;
    }
}
