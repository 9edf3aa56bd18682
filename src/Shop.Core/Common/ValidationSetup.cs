using System.Text.Json;
using FluentValidation;
using Microsoft.Extensions.DependencyInjection;

namespace Shop.Core.Common;

public static class ValidationSetup
{
    /// <summary>Registers every request validator of Core; error keys and messages use the JSON (camelCase) names.</summary>
    public static IServiceCollection AddShopValidation(this IServiceCollection services)
    {
        ValidatorOptions.Global.PropertyNameResolver = (_, member, expression) =>
            member is null ? null : JsonNamingPolicy.CamelCase.ConvertName(member.Name);
        ValidatorOptions.Global.DisplayNameResolver = (_, member, _) =>
            member is null ? null : JsonNamingPolicy.CamelCase.ConvertName(member.Name);

        // Validators are stateless: singletons, so an endpoint filter resolves each once (at its first request).
        services.AddValidatorsFromAssemblyContaining<PageQueryValidator>(ServiceLifetime.Singleton, includeInternalTypes: false);
        return services;
    }
}
