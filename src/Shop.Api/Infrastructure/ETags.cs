using Shop.Core.Common;

namespace Shop.Api.Infrastructure;

/// <summary>Product ETags are <c>"version-available"</c>; If-Match needs only the version part.</summary>
public static class ETags
{
    /// <summary>Marks an operation whose answers carry an ETag, for the OpenAPI document.</summary>
    public static RouteHandlerBuilder WithETag(this RouteHandlerBuilder builder) => builder.WithMetadata(new ETagMetadata());

    public static bool Matches(string? ifNoneMatch, string etag) =>
        ifNoneMatch is not null && ifNoneMatch.Split(',').Any(v => v.Trim() == "*" || Strip(v) == Strip(etag));

    /// <summary>The version an If-Match asks for; null when absent or "*" (any current version).</summary>
    public static long? VersionOf(string? ifMatch)
    {
        if (string.IsNullOrWhiteSpace(ifMatch) || ifMatch.Trim() == "*")
        {
            return null;
        }

        var version = Strip(ifMatch).Split('-')[0];
        return long.TryParse(version, out var parsed) && parsed > 0
            ? parsed
            : throw new RequestValidationException("If-Match", "If-Match must be an ETag returned by this API, such as \"3-12\".");
    }

    private static string Strip(string etag) => etag.Trim().Replace("W/", "", StringComparison.Ordinal).Trim('"');
}

public sealed record ETagMetadata;
