using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Shop.Core.Catalog;

namespace Shop.Api.Infrastructure;

/// <summary>
/// Anonymous catalog reads may be kept by browsers and CDNs (<c>public, max-age</c>, an ETag, 304
/// on <c>If-None-Match</c>); every other answer, and every answer to a request with a token, is
/// <c>no-store</c>, so that no cache in front of the API keeps what one user may see.
/// </summary>
public static class HttpCaching
{
    public static WebApplication UseShopHttpCaching(this WebApplication app)
    {
        app.Use(static (context, next) =>
        {
            context.Response.OnStarting(static state =>
            {
                var headers = ((HttpContext)state).Response.Headers;
                if (headers.CacheControl.Count == 0)
                {
                    headers.CacheControl = "no-store";
                }

                return Task.CompletedTask;
            }, context);
            return next(context);
        });
        return app;
    }

    /// <summary>For the anonymous reads of a group: public caching, an ETag of the answer (unless the handler set one) and 304.</summary>
    public static TBuilder WithPublicCaching<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder
    {
        builder.WithMetadata(new PublicCachingMetadata(), new ETagMetadata(), new ProducesResponseTypeMetadata(StatusCodes.Status304NotModified, typeof(void)));
        builder.AddEndpointFilter(static async (context, next) =>
        {
            var result = await next(context);
            if (result is INestedHttpResult nested)
            {
                result = nested.Result; // Results<Ok<T>, ...>: look at the one chosen
            }

            var http = context.HttpContext;
            if (http.Request.Headers.Authorization.Count > 0 || result is not IStatusCodeHttpResult { StatusCode: StatusCodes.Status200OK or StatusCodes.Status304NotModified })
            {
                return result;
            }

            var seconds = http.RequestServices.GetRequiredService<IOptions<CatalogOptions>>().Value.HttpCacheSeconds;
            http.Response.Headers.CacheControl = $"public, max-age={seconds}";
            // The same URL answers an admin's token differently: a shared cache must not hand one to the other.
            http.Response.Headers.Append(HeaderNames.Vary, HeaderNames.Authorization);
            if (http.Response.Headers.ETag.Count > 0 || result is not IValueHttpResult { Value: { } value })
            {
                return result;
            }

            var json = http.RequestServices.GetRequiredService<IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions;
            var body = JsonSerializer.SerializeToUtf8Bytes(value, value.GetType(), json);
            var etag = $"\"{Convert.ToHexStringLower(SHA256.HashData(body).AsSpan(0, 12))}\"";
            http.Response.Headers.ETag = etag;
            return ETags.Matches(http.Request.Headers.IfNoneMatch.ToString(), etag)
                ? TypedResults.StatusCode(StatusCodes.Status304NotModified)
                : TypedResults.Bytes(body, "application/json; charset=utf-8");
        });
        return builder;
    }
}

/// <summary>Marks an operation whose anonymous answers may be cached publicly, for the OpenAPI document.</summary>
public sealed record PublicCachingMetadata;
