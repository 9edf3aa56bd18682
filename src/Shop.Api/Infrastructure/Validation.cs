using FluentValidation;

namespace Shop.Api.Infrastructure;

public static class Validation
{
    /// <summary>
    /// Validates every handler argument that has a FluentValidation validator (bodies and
    /// [AsParameters] queries) before the handler runs, answering 400 with an errors object.
    /// Which arguments to check is worked out once per endpoint, at start-up.
    /// </summary>
    public static TBuilder WithRequestValidation<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilterFactory(static (factory, next) =>
        {
            var validated = factory.MethodInfo.GetParameters()
                .Select((parameter, index) => (Index: index, Validator: factory.ApplicationServices.GetService(
                    typeof(IValidator<>).MakeGenericType(parameter.ParameterType)) as IValidator))
                .Where(p => p.Validator is not null)
                .ToArray();
            if (validated.Length == 0)
            {
                return next;
            }

            return async context =>
            {
                foreach (var (index, validator) in validated)
                {
                    if (context.Arguments[index] is not { } argument)
                    {
                        continue;
                    }

                    var result = await validator!.ValidateAsync(new ValidationContext<object>(argument), context.HttpContext.RequestAborted);
                    if (!result.IsValid)
                    {
                        return TypedResults.ValidationProblem(result.ToDictionary());
                    }
                }

                return await next(context);
            };
        });
}
