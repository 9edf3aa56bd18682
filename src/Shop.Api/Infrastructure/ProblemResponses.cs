using System.Reflection;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;

namespace Shop.Api.Infrastructure;

/// <summary>
/// The problem responses an operation can give, declared in the OpenAPI document. Most follow from
/// what the endpoint is, and <see cref="WithProblemResponses{TBuilder}"/> declares them once for the
/// whole API; an endpoint adds only what its service may refuse (<see cref="Problems{TBuilder}"/>).
/// The integration suite fails on any status the document does not declare.
/// </summary>
public static class ProblemResponses
{
    public const string ProblemJson = "application/problem+json";

    /// <summary>
    /// For every endpoint of the group: 400 when it takes a body, a query, a header (Idempotency-Key too) or text from the
    /// path (control characters are refused in all of them, see Validation); 401 when it
    /// needs a token and 403 when it needs the admin role; 404 when its path names a resource;
    /// 413 and 415 when it takes a body; 429 always (the global rate limit).
    /// </summary>
    public static TBuilder WithProblemResponses<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder
    {
        // Finally: after every other convention, so that authorization and body metadata are there to read.
        builder.Finally(static endpoint =>
        {
            var metadata = endpoint.Metadata;
            var takesBody = metadata.OfType<IAcceptsMetadata>().Any();
            var authorize = metadata.OfType<IAuthorizeData>().ToArray();
            var anonymous = metadata.OfType<IAllowAnonymous>().Any();
            var handler = metadata.OfType<MethodInfo>().FirstOrDefault();

            // An Idempotency-Key header is read by its filter (not a parameter) and refused with 400 when malformed.
            var takesKey = metadata.OfType<IdempotencyKeyMetadata>().Any();
            if (takesBody || takesKey || TakesQueryOrHeader(handler) || TakesTextFromPath(handler, endpoint))
            {
                Declare(metadata, StatusCodes.Status400BadRequest, "The request has invalid fields: see errors.", typeof(HttpValidationProblemDetails));
            }

            if (authorize.Length > 0 && !anonymous)
            {
                Declare(metadata, StatusCodes.Status401Unauthorized, "No valid access token.");
                if (authorize.Any(a => a.Policy == Authentication.AdminPolicy))
                {
                    Declare(metadata, StatusCodes.Status403Forbidden, "The token is valid, but not an admin's.");
                }
            }

            if (endpoint is RouteEndpointBuilder { RoutePattern.Parameters.Count: > 0 })
            {
                Declare(metadata, StatusCodes.Status404NotFound, "No such resource, or not yours.");
            }

            if (takesBody)
            {
                Declare(metadata, StatusCodes.Status413PayloadTooLarge, $"The body is larger than {ErrorHandling.MaxRequestBodyBytes / 1024} KiB.");
                Declare(metadata, StatusCodes.Status415UnsupportedMediaType, "The body is not application/json (UTF-8).");
            }

            Declare(metadata, StatusCodes.Status429TooManyRequests, "Too many requests: wait for Retry-After seconds.");
        });
        return builder;
    }

    /// <summary>
    /// Declares a problem response the endpoint's service may give, with the problem types it can
    /// carry (the last segment of <c>type</c>, e.g. <c>insufficient-stock</c>).
    /// </summary>
    public static TBuilder Problems<TBuilder>(this TBuilder builder, int status, params string[] problemTypes) where TBuilder : IEndpointConventionBuilder
    {
        builder.Add(endpoint =>
        {
            Declare(endpoint.Metadata, status, null);
            endpoint.Metadata.Add(new ProblemTypesMetadata(status, problemTypes));
        });
        return builder;
    }

    private static bool TakesQueryOrHeader(MethodInfo? handler) =>
        handler?.GetParameters().Any(p =>
            p.IsDefined(typeof(AsParametersAttribute)) || p.IsDefined(typeof(FromHeaderAttribute)) || p.IsDefined(typeof(FromQueryAttribute))) == true;

    /// <summary>A string bound from the route (an id or a slug), where a control character is a 400.</summary>
    private static bool TakesTextFromPath(MethodInfo? handler, EndpointBuilder endpoint)
    {
        if (handler is null || endpoint is not RouteEndpointBuilder { RoutePattern: var pattern })
        {
            return false;
        }

        return handler.GetParameters().Any(p => p.ParameterType == typeof(string)
            && pattern.GetParameter(p.GetCustomAttribute<FromRouteAttribute>()?.Name ?? p.Name!) is not null);
    }

    private static void Declare(IList<object> metadata, int status, string? description, Type? type = null)
    {
        if (!metadata.OfType<IProducesResponseTypeMetadata>().Any(m => m.StatusCode == status))
        {
            metadata.Add(new ProblemResponseMetadata(status, type ?? typeof(ProblemDetails), description));
        }
    }

    private sealed class ProblemResponseMetadata(int status, Type type, string? description) : IProducesResponseTypeMetadata
    {
        public int StatusCode => status;
        public Type Type => type;
        public string? Description => description;
        public IEnumerable<string> ContentTypes => [ProblemJson];
    }
}

/// <summary>The problem types an operation may answer with one status, listed in that response's description.</summary>
public sealed record ProblemTypesMetadata(int Status, IReadOnlyList<string> Types);
