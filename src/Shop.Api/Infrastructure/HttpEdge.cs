using System.Text.Json.Serialization;

namespace Shop.Api.Infrastructure;

public sealed class CorsSettings
{
    public const string Section = "Cors";

    /// <summary>Origins allowed to call the API from a browser: a list, or one comma-separated string.</summary>
    public string[] AllowedOrigins { get; set; } = [];
}

public static class HttpEdge
{
    /// <summary>JSON rules, body size, CORS and rate limits: what every request meets before an endpoint.</summary>
    public static WebApplicationBuilder AddShopHttpEdge(this WebApplicationBuilder builder)
    {
        builder.Services.ConfigureHttpJsonOptions(o =>
        {
            // "12" is not a number and "true" is not a boolean: wrong types are a 400, not a guess.
            o.SerializerOptions.NumberHandling = JsonNumberHandling.Strict;
            o.SerializerOptions.Converters.Add(new JsonStringEnumConverter(System.Text.Json.JsonNamingPolicy.SnakeCaseLower));
        });
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = ErrorHandling.MaxRequestBodyBytes;
            k.AddServerHeader = false;
        });

        var origins = AllowedOrigins(builder.Configuration);
        builder.Services.AddCors(o => o.AddDefaultPolicy(p =>
        {
            p.WithOrigins(origins).AllowAnyHeader().AllowAnyMethod()
                .WithExposedHeaders("Location", "ETag", "Retry-After")
                .SetPreflightMaxAge(TimeSpan.FromHours(1));
        }));
        builder.Services.AddShopRateLimiting();
        return builder;
    }

    private static string[] AllowedOrigins(IConfiguration configuration)
    {
        var section = configuration.GetSection($"{CorsSettings.Section}:{nameof(CorsSettings.AllowedOrigins)}");
        var values = section.Value is { } single ? single.Split(',') : section.Get<string[]>() ?? [];
        return values.Select(v => v.Trim().TrimEnd('/')).Where(v => v.Length > 0).ToArray();
    }

    /// <summary>Headers that make a browser treat every answer as data, never as a page to frame or sniff.</summary>
    public static WebApplication UseShopSecurityHeaders(this WebApplication app)
    {
        app.Use(static (context, next) =>
        {
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            headers["Cross-Origin-Opener-Policy"] = "same-origin";
            headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()";
            // The API explorer is the one HTML page we serve; its script and styles come from this origin.
            headers.ContentSecurityPolicy = context.Request.Path.StartsWithSegments("/docs")
                ? "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'"
                : "default-src 'none'; frame-ancestors 'none'";
            if (context.Request.IsHttps)
            {
                headers.StrictTransportSecurity = "max-age=31536000; includeSubDomains";
            }

            return next(context);
        });
        return app;
    }
}
