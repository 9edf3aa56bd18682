using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Xunit.Sdk;

namespace Shop.IntegrationTests.Infrastructure;

/// <summary>
/// Proves that the OpenAPI document lists every status the API gives: the test host names the
/// operation that answered each request (<see cref="OperationHeaderFilter"/>), and every test client
/// fails the test on a status its operation does not declare (<see cref="DeclaredResponsesHandler"/>).
/// </summary>
public sealed class DeclaredResponses(IReadOnlyDictionary<string, IReadOnlySet<int>> operations)
{
    public static DeclaredResponses Parse(JsonElement document)
    {
        var operations = new Dictionary<string, IReadOnlySet<int>>(StringComparer.Ordinal);
        foreach (var path in document.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject())
            {
                operations[Key(operation.Name, path.Name)] = operation.Value.GetProperty("responses").EnumerateObject()
                    .Select(r => int.Parse(r.Name, System.Globalization.CultureInfo.InvariantCulture)).ToHashSet();
            }
        }

        return new DeclaredResponses(operations);
    }

    /// <summary>Null when declared; else what is wrong.</summary>
    public string? Check(string operation, int status)
    {
        if (!operations.TryGetValue(operation, out var statuses))
        {
            return $"{operation} is not in the OpenAPI document";
        }

        return statuses.Contains(status) ? null : $"{operation} answered {status}, which the OpenAPI document does not declare for it";
    }

    /// <summary>"POST /api/v1/orders/{id}/cancel": the method and the path template as the document writes them.</summary>
    public static string Key(string method, string template) => $"{method.ToUpperInvariant()} {template.TrimEnd('/')}";
}

/// <summary>Test host only: names the documented operation that answered, in <see cref="Header"/>.</summary>
internal sealed class OperationHeaderFilter : IStartupFilter
{
    public const string Header = "X-Test-Operation";

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use((context, nextMiddleware) =>
        {
            context.Response.OnStarting(() =>
            {
                if (Operation(context) is { } operation)
                {
                    context.Response.Headers[Header] = operation;
                }

                return Task.CompletedTask;
            });
            return nextMiddleware(context);
        });
        next(app);
    };

    /// <summary>Requests that reached an /api/v1 route for their method; not unknown paths, 405s or CORS preflights.</summary>
    private static string? Operation(HttpContext context)
    {
        // An answer written by the exception handler has lost its endpoint; the handler kept it.
        if ((context.GetEndpoint() ?? context.Features.Get<IExceptionHandlerFeature>()?.Endpoint) is not RouteEndpoint endpoint
            || endpoint.Metadata.GetMetadata<HttpMethodMetadata>() is not { } methods
            || !methods.HttpMethods.Contains(context.Request.Method, StringComparer.OrdinalIgnoreCase))
        {
            return null;
        }

        // The path as the document writes it: "{id:guid}" is "{id}".
        var template = "/" + string.Join('/', endpoint.RoutePattern.PathSegments.Select(segment => string.Concat(segment.Parts.Select(part => part switch
        {
            RoutePatternLiteralPart literal => literal.Content,
            RoutePatternParameterPart parameter => $"{{{parameter.Name}}}",
            _ => "",
        }))));
        return template.StartsWith("/api/v1/", StringComparison.Ordinal) ? DeclaredResponses.Key(context.Request.Method, template) : null;
    }
}

/// <summary>Fails the test on the spot when an answer's status is not declared for its operation.</summary>
internal sealed class DeclaredResponsesHandler(Func<Task<DeclaredResponses>> declared) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        // A 5xx is FailOnServerErrorHandler's to report, with the server's log.
        if ((int)response.StatusCode < 500 && response.Headers.TryGetValues(OperationHeaderFilter.Header, out var values)
            && (await declared()).Check(values.First(), (int)response.StatusCode) is { } undeclared)
        {
            throw new XunitException($"{request.Method} {request.RequestUri}: {undeclared}.");
        }

        return response;
    }
}
