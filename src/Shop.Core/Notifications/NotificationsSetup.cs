using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Shop.Core.Notifications;

public static class NotificationsSetup
{
    /// <summary>Email: SMTP (MailKit), or .eml files in the pickup folder when no host is set; each keyed email sent once.</summary>
    public static IServiceCollection AddShopNotifications(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SmtpOptions>().Bind(configuration.GetSection(SmtpOptions.Section))
            .Validate(o => o.Port is > 0 and < 65536, "Smtp:Port must be a TCP port.").ValidateOnStart();
        services.AddScoped<Mailer>();
        services.AddSingleton<IEmailSender, EmailSender>();
        return services;
    }
}
