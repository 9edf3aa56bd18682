using System.Text.Json;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Scalar.AspNetCore;
using Shop.Core.Common;

namespace Shop.Api.Infrastructure;

public static class OpenApi
{
    private const string BearerScheme = "Bearer";

    public static IServiceCollection AddShopOpenApi(this IServiceCollection services) =>
        services.AddOpenApi(o =>
        {
            o.AddDocumentTransformer(DescribeDocument);
            o.AddOperationTransformer(DescribeOperation);
            o.AddSchemaTransformer(OptionalRequestFields);
        });

    private static Task DescribeDocument(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info = new OpenApiInfo
        {
            Title = "Shop API",
            Version = "v1",
            Description = "Headless e-commerce: catalog, customers, orders, payments. Errors are RFC 9457 problem details " +
                          $"(application/problem+json, with traceId; the type of a domain error starts with {ErrorHandling.ProblemTypeBase}); " +
                          "lists are paged with page and pageSize (at most 100); every operation may answer 429 with Retry-After.",
        };
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "JWT",
            Description = "The accessToken from POST /api/v1/auth/login.",
        };
        foreach (var tag in document.Tags ?? Enumerable.Empty<OpenApiTag>())
        {
            tag.Description ??= TagDescriptions.GetValueOrDefault(tag.Name ?? "");
        }

        return Task.CompletedTask;
    }

    private static readonly Dictionary<string, string> TagDescriptions = new()
    {
        ["Auth"] = "Accounts and tokens: register, log in, rotate refresh tokens, log out.",
        ["Profile"] = "The signed-in user's own profile, password and saved addresses.",
        ["Users (admin)"] = "Every account, for admins: find, promote, deactivate.",
        ["Categories"] = "The category tree; reading is public, changes are for admins.",
        ["Products"] = "The catalog: browse and read publicly; create, replace and delete as an admin.",
        ["Inventory"] = "Stock per product, for admins: on hand, reserved, available, and the audit trail of changes.",
        ["Orders"] = "Checkout with stock reservation, the order lifecycle and tracking.",
        ["Payments"] = "Paying orders (charged in the background), refunds and provider webhooks.",
        ["Carts"] = "Build an order before committing: lines per variant, priced live (discount, shipping, tax), then checkout.",
        ["Discounts"] = "Discount codes, for admins: percentage, fixed amount or free shipping, with limits counted at checkout.",
        ["Shipping and tax"] = "Shipping methods per destination and tax rates per country: listed publicly, managed by admins.",
    };

    /// <summary>What the endpoint's metadata says beyond bodies and statuses: security, headers, problem types, an example.</summary>
    private static Task DescribeOperation(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        // Every operation says whether it needs a token: an empty list means "public".
        operation.Security = metadata.OfType<IAuthorizeData>().Any() && !metadata.OfType<IAllowAnonymous>().Any()
            ? [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, context.Document)] = [] }]
            : [];

        // [AsParameters] records bind case-insensitively; their names are documented as clients send them.
        foreach (var parameter in operation.Parameters?.OfType<OpenApiParameter>().Where(p => p.In == ParameterLocation.Query) ?? [])
        {
            parameter.Name = JsonNamingPolicy.CamelCase.ConvertName(parameter.Name!);
        }

        var idempotency = metadata.OfType<IdempotencyKeyMetadata>().FirstOrDefault();
        if (idempotency is not null)
        {
            operation.Parameters ??= [];
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = Idempotency.Header,
                In = ParameterLocation.Header,
                Required = idempotency.Required,
                Description = $"Any string of 1 to {IdempotencyService.MaxKeyLength} printable characters, kept 24 hours per user. A retry with the same key " +
                              "and body answers the first response again; another body is 422; a retry while the first runs is 409.",
                Schema = new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = IdempotencyService.MaxKeyLength },
            });
        }

        var problemTypes = metadata.OfType<ProblemTypesMetadata>().ToLookup(p => p.Status, p => p.Types);
        foreach (var (code, response) in operation.Responses ?? [])
        {
            if (response is not OpenApiResponse described || !int.TryParse(code, out var status))
            {
                continue;
            }

            if (status is StatusCodes.Status201Created or StatusCodes.Status202Accepted)
            {
                AddHeader(described, "Location", "Where the created resource can be read.");
            }

            if (idempotency is not null && status < 300)
            {
                AddHeader(described, Idempotency.ReplayedHeader, "true when this is the stored answer to an earlier request with the same Idempotency-Key.");
            }

            if (metadata.OfType<ETagMetadata>().Any() && status is < 300 or StatusCodes.Status304NotModified)
            {
                AddHeader(described, "ETag", "The product's version and stock; send it back in If-None-Match (304 when unchanged) or If-Match.");
            }

            if (metadata.OfType<PublicCachingMetadata>().Any() && status is StatusCodes.Status200OK or StatusCodes.Status304NotModified)
            {
                AddHeader(described, "Cache-Control", "public, max-age=<Catalog:HttpCacheSeconds> without a token (with Vary: Authorization); no-store with one.");
            }

            if (status == StatusCodes.Status429TooManyRequests)
            {
                AddHeader(described, "Retry-After", "Seconds to wait before trying again.", JsonSchemaType.Integer);
            }

            var types = problemTypes[status].SelectMany(t => t).Distinct().ToArray();
            if (types.Length > 0)
            {
                described.Description = $"{described.Description}. Problem types: {string.Join(", ", types.Select(ErrorHandling.ProblemType))}.";
            }
        }

        if (operation.RequestBody?.Content is { } content && context.Description.ParameterDescriptions
                .FirstOrDefault(p => p.Source == Microsoft.AspNetCore.Mvc.ModelBinding.BindingSource.Body)?.Type is { } bodyType
            && OpenApiExamples.For(bodyType) is { } example)
        {
            foreach (var media in content.Values.OfType<OpenApiMediaType>())
            {
                media.Example = example;
            }
        }

        return Task.CompletedTask;
    }

    private static void AddHeader(OpenApiResponse response, string name, string description, JsonSchemaType type = JsonSchemaType.String)
    {
        response.Headers ??= new Dictionary<string, IOpenApiHeader>();
        response.Headers[name] = new OpenApiHeader { Description = description, Schema = new OpenApiSchema { Type = type } };
    }

    /// <summary>
    /// A request field the server accepts without (a nullable one: left out means "none" or "unchanged")
    /// is optional in the document. Responses always carry every field, null or not.
    /// </summary>
    private static Task OptionalRequestFields(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        if (context.JsonTypeInfo.Type.Name.EndsWith("Request", StringComparison.Ordinal) && schema.Required is { } required)
        {
            foreach (var property in context.JsonTypeInfo.Properties.Where(p => p.IsSetNullable))
            {
                required.Remove(property.Name);
            }
        }

        return Task.CompletedTask;
    }

    /// <summary>The document at /openapi/v1.json and the Scalar explorer at /docs, served from the package (no CDN).</summary>
    public static WebApplication MapShopOpenApi(this WebApplication app)
    {
        app.MapOpenApi();
        app.MapScalarApiReference("/docs", o => o
            .WithTitle("Shop API")
            .AddPreferredSecuritySchemes(BearerScheme)
            // Everything the page needs comes from this server: no CDN fonts, no telemetry.
            .DisableDefaultFonts()
            .DisableTelemetry());
        return app;
    }
}

public static partial class StartupMessages
{
    /// <summary>Says where the API explorer is, once Kestrel knows its addresses.</summary>
    public static void LogDocsUrlOnStart(this WebApplication app) =>
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            foreach (var address in app.Urls)
            {
                var docs = $"{address.Replace("0.0.0.0", "localhost", StringComparison.Ordinal).Replace("[::]", "localhost", StringComparison.Ordinal)}/docs";
                LogDocs(app.Logger, docs);
                if (app.Environment.IsDevelopment())
                {
                    Console.WriteLine($"Shop is running. Open the API explorer at {docs}");
                }
            }
        });

    [LoggerMessage(Level = LogLevel.Information, Message = "Shop is running; API explorer at {DocsUrl}")]
    private static partial void LogDocs(ILogger logger, string docsUrl);
}
