using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Net.Http.Headers;
using Shop.Core.Common;

namespace Shop.Api.Infrastructure;

/// <summary>
/// The single error path: every failure, whether a domain exception, a body that is not JSON,
/// an unknown route or a crash, leaves as an RFC 9457 problem with type, title, status, detail and traceId.
/// </summary>
public static class ErrorHandling
{
    public const string ProblemTypeBase = "https://shop.example/problems/";

    /// <summary>Bodies above 1 MiB are refused with 413.</summary>
    public const long MaxRequestBodyBytes = 1024 * 1024;

    public static IServiceCollection AddShopProblemDetails(this IServiceCollection services)
    {
        services.AddProblemDetails(o => o.CustomizeProblemDetails = Customize);
        // The API has JSON only, errors included. ASP.NET Core's writer declines a request whose Accept
        // names no JSON type (text/html, say): the answer was then plain text from the status-code
        // pages, or no problem at all from the exception handler. The same writer, whatever Accept says.
        var writer = services.Last(d => d.ServiceType == typeof(IProblemDetailsWriter));
        services.Remove(writer);
        services.AddSingleton<IProblemDetailsWriter>(provider =>
            new JsonWhateverAccept((IProblemDetailsWriter)ActivatorUtilities.CreateInstance(provider, writer.ImplementationType!)));
        services.AddExceptionHandler<ShopExceptionHandler>();
        // Binding failures (malformed JSON, wrong types) throw BadHttpRequestException in every
        // environment, so the handler below can say what was wrong instead of an empty 400.
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        return services;
    }

    public static WebApplication UseShopErrorHandling(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.Use(static (context, next) =>
        {
            // Kestrel enforces the same limit on streamed bodies (see ConfigureKestrel); this check
            // answers at once when the declared length is already too large, on any server.
            if (context.Request.ContentLength > MaxRequestBodyBytes)
            {
                throw new BadHttpRequestException("Request body too large.", StatusCodes.Status413PayloadTooLarge);
            }

            if (!AcceptJsonCharset(context.Request, context.GetEndpoint()))
            {
                throw new BadHttpRequestException(
                    $"Send JSON in UTF-8 (charset=utf-8, or no charset): '{context.Request.ContentType}' is not supported.",
                    StatusCodes.Status415UnsupportedMediaType);
            }

            return next(context);
        });
        return app;
    }

    /// <summary>
    /// JSON is UTF-8 (RFC 8259): false when an endpoint that reads a JSON body is sent one in another
    /// charset. The JSON reader would throw (a 500) on a charset it cannot decode and on a quoted one,
    /// so a quoted <c>charset="utf-8"</c> is unquoted for it.
    /// </summary>
    private static bool AcceptJsonCharset(HttpRequest request, Endpoint? endpoint)
    {
        if (endpoint?.Metadata.GetMetadata<IAcceptsMetadata>() is null
            || !request.HasJsonContentType()
            || !MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType)
            || mediaType.Charset.Length == 0)
        {
            return true;
        }

        if (!HeaderUtilities.RemoveQuotes(mediaType.Charset).Equals("utf-8", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        if (HeaderUtilities.IsQuoted(mediaType.Charset))
        {
            mediaType.Charset = "utf-8";
            request.ContentType = mediaType.ToString();
        }

        return true;
    }

    private static void Customize(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        var http = context.HttpContext;
        var status = problem.Status ?? http.Response.StatusCode;
        problem.Extensions["traceId"] = Activity.Current?.TraceId.ToHexString() ?? http.TraceIdentifier;
        problem.Instance ??= http.Request.Path;
        problem.Type ??= status switch
        {
            StatusCodes.Status413PayloadTooLarge => "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.14",
            StatusCodes.Status429TooManyRequests => "https://www.rfc-editor.org/rfc/rfc6585#section-4",
            _ => "about:blank",
        };
        problem.Detail ??= status switch
        {
            StatusCodes.Status400BadRequest when problem is HttpValidationProblemDetails => "The request has invalid fields; see 'errors'.",
            StatusCodes.Status401Unauthorized => "Authentication is required: send a valid access token as 'Authorization: Bearer <token>'.",
            StatusCodes.Status403Forbidden => "Your account is not allowed to do this.",
            StatusCodes.Status404NotFound when http.GetEndpoint() is null => $"No route matches {http.Request.Method} {http.Request.Path}.",
            StatusCodes.Status405MethodNotAllowed => $"{http.Request.Method} is not allowed on {http.Request.Path}.",
            StatusCodes.Status413PayloadTooLarge => $"The request body is larger than {MaxRequestBodyBytes / 1024} KiB.",
            StatusCodes.Status415UnsupportedMediaType => "Send the body as application/json.",
            _ => problem.Title,
        };
    }

    public static string ProblemType(string slug) => ProblemTypeBase + slug;

    private sealed class JsonWhateverAccept(IProblemDetailsWriter writer) : IProblemDetailsWriter
    {
        public bool CanWrite(ProblemDetailsContext context) => true;

        public ValueTask WriteAsync(ProblemDetailsContext context) => writer.WriteAsync(context);
    }

    /// <summary>Writes a problem from outside the exception path (rate limiter, auth events).</summary>
    public static async ValueTask WriteProblemAsync(HttpContext http, int status, string detail, string? slug = null)
    {
        http.Response.StatusCode = status;
        var problems = http.RequestServices.GetRequiredService<IProblemDetailsService>();
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails = new ProblemDetails { Status = status, Detail = detail, Type = slug is null ? null : ProblemType(slug) },
        });
    }
}

internal sealed partial class ShopExceptionHandler(IProblemDetailsService problems, ILogger<ShopExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is OperationCanceledException && http.RequestAborted.IsCancellationRequested)
        {
            return true; // the client went away; nobody is listening for an answer
        }

        var problem = exception switch
        {
            RequestValidationException e => new HttpValidationProblemDetails(e.Errors) { Status = StatusCodes.Status400BadRequest, Detail = e.Message },
            ShopException e => WithExtensions(new ProblemDetails { Status = StatusOf(e), Detail = e.Message, Type = ErrorHandling.ProblemType(e.ProblemType) }, e),
            BadHttpRequestException e => new ProblemDetails { Status = e.StatusCode, Detail = Describe(e) },
            _ => null,
        };

        if (problem is null)
        {
            LogUnhandled(logger, exception, http.Request.Method, http.Request.Path);
            problem = new ProblemDetails { Status = StatusCodes.Status500InternalServerError, Detail = "An unexpected error occurred. Quote the traceId when you report it." };
        }

        if (exception is TooManyRequestsException tooMany)
        {
            http.Response.Headers.RetryAfter = RetryAfterSeconds(tooMany.RetryAfter);
        }

        http.Response.StatusCode = problem.Status!.Value;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = problem });
    }

    internal static string RetryAfterSeconds(TimeSpan retryAfter) => Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString();

    private static int StatusOf(ShopException e) => e switch
    {
        NotFoundException => StatusCodes.Status404NotFound,
        ConflictException => StatusCodes.Status409Conflict,
        UnprocessableException => StatusCodes.Status422UnprocessableEntity,
        UnauthorizedException => StatusCodes.Status401Unauthorized,
        ForbiddenException => StatusCodes.Status403Forbidden,
        TooManyRequestsException => StatusCodes.Status429TooManyRequests,
        _ => StatusCodes.Status400BadRequest,
    };

    private static ProblemDetails WithExtensions(ProblemDetails problem, ShopException e)
    {
        foreach (var (key, value) in e.Extensions)
        {
            problem.Extensions[key] = value;
        }

        return problem;
    }

    private static string Describe(BadHttpRequestException e)
    {
        if (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return $"The request body is larger than {ErrorHandling.MaxRequestBodyBytes / 1024} KiB.";
        }

        if (e.InnerException is JsonException json)
        {
            return json.Path is { Length: > 1 }
                ? $"The request body is not valid JSON for this operation: the value at '{json.Path}' is malformed or has the wrong type."
                : "The request body is not valid JSON.";
        }

        return e.Message.StartsWith("Required parameter", StringComparison.Ordinal) && e.Message.Contains("body", StringComparison.Ordinal)
            ? "A JSON request body is required."
            : e.Message;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled exception on {Method} {Path}")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string method, string path);
}
