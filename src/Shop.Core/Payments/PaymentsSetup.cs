using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Shop.Core.Jobs;
using Shop.Core.Messaging;
using Shop.Core.Notifications;

namespace Shop.Core.Payments;

public static class PaymentsSetup
{
    /// <summary>Payments with their provider, the background processing around them, and email.</summary>
    public static IServiceCollection AddShopPayments(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<PaymentOptions>().Bind(configuration.GetSection(PaymentOptions.Section)).ValidateDataAnnotations()
            .Validate(o => o.Provider == SandboxProvider.ProviderName, $"Payments:Provider must be '{SandboxProvider.ProviderName}' (the only provider built in).")
            .ValidateOnStart();
        services.AddOptions<OrdersOptions>().Bind(configuration.GetSection(OrdersOptions.Section))
            .Validate(o => o.PaymentTimeout > TimeSpan.Zero, "Orders:PaymentTimeout must be positive.").ValidateOnStart();
        services.AddOptions<SmtpOptions>().Bind(configuration.GetSection(SmtpOptions.Section))
            .Validate(o => o.Port is > 0 and < 65536, "Smtp:Port must be a TCP port.").ValidateOnStart();
        services.AddOptions<WorkerOptions>().Bind(configuration.GetSection(WorkerOptions.Section))
            .Validate(o => o.Enabled || !string.IsNullOrWhiteSpace(configuration.GetConnectionString("RabbitMq")),
                "Workers:Enabled=false needs ConnectionStrings:RabbitMq: without a broker, nothing else would ever process this process's messages.")
            .ValidateOnStart();

        services.AddScoped<IPaymentProvider, SandboxProvider>();
        services.AddScoped<PaymentService>();
        services.AddScoped<PaymentProcessor>();
        services.AddScoped<Mailer>();
        services.AddSingleton<IEmailSender, EmailSender>();
        return services;
    }
}
