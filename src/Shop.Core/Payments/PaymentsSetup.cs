using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Shop.Core.Payments;

public static class PaymentsSetup
{
    /// <summary>Payments with their provider, the background processing around them, and webhooks.</summary>
    public static IServiceCollection AddShopPayments(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<PaymentOptions>().Bind(configuration.GetSection(PaymentOptions.Section)).ValidateDataAnnotations()
            .Validate(o => o.Provider == SandboxProvider.ProviderName, $"Payments:Provider must be '{SandboxProvider.ProviderName}' (the only provider built in).")
            .ValidateOnStart();

        services.AddScoped<IPaymentProvider, SandboxProvider>();
        services.AddScoped<PaymentService>();
        services.AddScoped<PaymentProcessor>();
        services.AddScoped<WebhookReader>();
        return services;
    }
}
