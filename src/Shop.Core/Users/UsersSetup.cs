using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Shop.Core.Common;

namespace Shop.Core.Users;

public static class UsersSetup
{
    /// <summary>Accounts, passwords, tokens and addresses; options validated at start-up.</summary>
    public static IServiceCollection AddShopUsers(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<JwtOptions>().Bind(configuration.GetSection(JwtOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IValidateOptions<JwtOptions>, JwtOptionsValidator>();
        services.AddOptions<PasswordOptions>().Bind(configuration.GetSection(PasswordOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<RateLimitingOptions>().Bind(configuration.GetSection(RateLimitingOptions.Section)).ValidateDataAnnotations()
            // Else one address alone could slow an account down for everyone else.
            .Validate(o => o.LoginFailuresPerAccountAcrossAddresses > o.LoginFailuresPerAccount,
                "RateLimiting:LoginFailuresPerAccountAcrossAddresses must be greater than RateLimiting:LoginFailuresPerAccount.")
            .Validate(o => o.LoginFailureWindow > TimeSpan.Zero && o.LoginFailureMaxDelay >= TimeSpan.FromSeconds(1) && o.LoginFailureMaxDelay <= o.LoginFailureWindow,
                "RateLimiting:LoginFailureMaxDelay must be between 1 second and RateLimiting:LoginFailureWindow.")
            .ValidateOnStart();
        services.AddOptions<AdminOptions>().Bind(configuration.GetSection(AdminOptions.Section))
            .Validate(o => string.IsNullOrEmpty(o.Email) == string.IsNullOrEmpty(o.Password), "Admin:Email and Admin:Password must be set together.")
            .Validate(o => string.IsNullOrEmpty(o.Password) || o.Password.Length is >= UserLimits.PasswordMin and <= UserLimits.PasswordMax,
                $"Admin:Password must be {UserLimits.PasswordMin} to {UserLimits.PasswordMax} characters.")
            .ValidateOnStart();
        services.AddOptions<StorageOptions>().Bind(configuration.GetSection(StorageOptions.Section));

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<PasswordHasher>();
        services.AddSingleton<JwtSigningKey>();
        services.AddSingleton<TokenService>();
        services.AddSingleton<LoginThrottle>();
        services.AddSingleton<UserStatusCache>();
        services.AddScoped<AuthService>();
        services.AddScoped<UserService>();
        services.AddScoped<AddressService>();
        services.AddScoped<AdminBootstrapper>();
        return services;
    }
}
