using Microsoft.AspNetCore.Authorization;
using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace Shop.Api.Infrastructure;

public static class OpenApi
{
    private const string BearerScheme = "Bearer";

    public static IServiceCollection AddShopOpenApi(this IServiceCollection services) =>
        services.AddOpenApi(o =>
        {
            o.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "Shop API",
                    Version = "v1",
                    Description = "Headless e-commerce: catalog, customers, orders, payments. Errors are RFC 9457 problem details; " +
                                  "lists are paged with page and pageSize (at most 100).",
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
                return Task.CompletedTask;
            });
            o.AddOperationTransformer((operation, context, _) =>
            {
                if (context.Description.ActionDescriptor.EndpointMetadata.OfType<IAuthorizeData>().Any())
                {
                    operation.Security ??= [];
                    operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, context.Document)] = [] });
                }

                return Task.CompletedTask;
            });
        });

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

public static class Commands
{
    private static readonly string[] Verbs = ["codegen", "describe", "resources", "help", "check-env", "storage"];

    /// <summary>
    /// JasperFx commands ("codegen write", "describe", ...) when the first argument names one;
    /// otherwise a plain run, so that configuration arguments and the test host behave as usual.
    /// </summary>
    public static async Task<int> RunOrCommandAsync(this WebApplication app, string[] args)
    {
        if (args.Length > 0 && Verbs.Contains(args[0], StringComparer.OrdinalIgnoreCase))
        {
            return await JasperFx.CommandLineHostingExtensions.RunJasperFxCommands(app, args);
        }

        await app.RunAsync();
        return 0;
    }
}
