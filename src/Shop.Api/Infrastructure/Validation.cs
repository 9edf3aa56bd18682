using System.Reflection;
using FluentValidation;
using Microsoft.AspNetCore.Http.Metadata;
using Shop.Core.Common;

namespace Shop.Api.Infrastructure;

public static class Validation
{
    /// <summary>
    /// Before the handler runs, checks every argument bound from the request: no control
    /// characters in any of its text (<see cref="TextInput"/>: bodies, [AsParameters] queries,
    /// route and header values), and its FluentValidation validator when it has one. Any failure
    /// is a 400 with an errors object. What to check is worked out once per endpoint, at start-up;
    /// the validator itself is made at the endpoint's first request.
    /// </summary>
    public static TBuilder WithRequestValidation<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilterFactory(static (factory, next) =>
        {
            var services = factory.ApplicationServices.GetService<IServiceProviderIsService>();
            var checks = factory.MethodInfo.GetParameters()
                .Select((parameter, index) => (
                    Index: index,
                    Name: FieldName(parameter),
                    Text: services?.IsService(parameter.ParameterType) == true ? null : TextInput.For(parameter.ParameterType),
                    Validator: ValidatorOf(factory.ApplicationServices, services, parameter.ParameterType)))
                .Where(p => p.Text is not null || p.Validator is not null)
                .ToArray();
            if (checks.Length == 0)
            {
                return next;
            }

            return async context =>
            {
                var errors = new Dictionary<string, string[]>();
                foreach (var (index, name, text, validator) in checks)
                {
                    if (context.Arguments[index] is not { } argument)
                    {
                        continue;
                    }

                    text?.Invoke(argument, name, errors);
                    if (validator is not null)
                    {
                        var result = await validator.Value.ValidateAsync(new ValidationContext<object>(argument), context.HttpContext.RequestAborted);
                        foreach (var (field, messages) in result.ToDictionary())
                        {
                            errors[field] = errors.TryGetValue(field, out var earlier) ? [.. earlier, .. messages] : messages;
                        }
                    }
                }

                return errors.Count > 0 ? TypedResults.ValidationProblem(errors) : await next(context);
            };
        });

    /// <summary>
    /// The argument type's validator, made at the endpoint's first request: making one compiles its rules'
    /// expressions (FluentValidation's RuleFor), for every endpoint at start-up.
    /// </summary>
    private static Lazy<IValidator>? ValidatorOf(IServiceProvider services, IServiceProviderIsService? registered, Type argument)
    {
        var type = typeof(IValidator<>).MakeGenericType(argument);
        return registered is null
            ? services.GetService(type) is IValidator made ? new(made) : null
            : registered.IsService(type) ? new(() => (IValidator)services.GetRequiredService(type)) : null;
    }

    /// <summary>What a client calls the argument: "" for a body or query object (its members are the fields), else the route, query or header name.</summary>
    private static string FieldName(ParameterInfo parameter)
    {
        if (parameter.ParameterType != typeof(string))
        {
            return "";
        }

        var named = parameter.GetCustomAttributes().Select(a => a switch
        {
            IFromHeaderMetadata header => header.Name,
            IFromQueryMetadata query => query.Name,
            IFromRouteMetadata route => route.Name,
            _ => null,
        }).FirstOrDefault(n => n is not null);
        return named ?? parameter.Name!;
    }
}
