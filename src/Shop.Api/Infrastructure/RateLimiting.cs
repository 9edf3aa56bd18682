using System.Security.Claims;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using Shop.Core.Caching;
using Shop.Core.Users;

namespace Shop.Api.Infrastructure;

public static class RateLimiting
{
    public const string RegistrationPolicy = "registration";

    /// <summary>
    /// A global fixed window per client (the user when authenticated, else the address) and a
    /// tighter hourly window on registration per address; both 429 with Retry-After.
    /// Failed logins are counted separately by <see cref="LoginThrottle"/>, since only failures count there.
    /// With Redis configured the windows are counted there, shared by every API process, and in process
    /// for any request Redis cannot count (<see cref="SharedFixedWindowLimiter"/>).
    /// </summary>
    public static IServiceCollection AddShopRateLimiting(this IServiceCollection services)
    {
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<RateLimitingOptions>, IServiceProvider>((limiter, shop, provider) =>
        {
            var limits = shop.Value;
            var redis = provider.GetService<RedisCounters>();
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http =>
                IsOperational(http.Request)
                    ? RateLimitPartition.GetNoLimiter("operations")
                    : SharedFixedWindowLimiter.Partition(redis, "global", ClientKey(http), limits.GlobalPerMinute, TimeSpan.FromMinutes(1)));
            limiter.AddPolicy(RegistrationPolicy, http =>
                SharedFixedWindowLimiter.Partition(redis, RegistrationPolicy, ClientAddress(http) ?? "unknown", limits.RegistrationsPerHour, TimeSpan.FromHours(1)));
            limiter.OnRejected = async (context, _) =>
            {
                if (context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
                {
                    context.HttpContext.Response.Headers.RetryAfter = ShopExceptionHandler.RetryAfterSeconds(retryAfter);
                }

                await ErrorHandling.WriteProblemAsync(context.HttpContext, StatusCodes.Status429TooManyRequests,
                    "Too many requests. Wait for the time given in Retry-After.", "too-many-requests");
            };
        });
        return services;
    }

    public static string? ClientAddress(HttpContext http) => http.Connection.RemoteIpAddress?.ToString();

    private static string ClientKey(HttpContext http) =>
        http.User.FindFirstValue(ShopClaims.Subject) is { } userId ? $"user:{userId}" : $"address:{ClientAddress(http) ?? "unknown"}";

    // Probes and scrapers call these constantly; they must never be the thing that trips a limit.
    // Only their reads are exempt: any other method there is a 405 that counts like any request.
    private static bool IsOperational(HttpRequest request) =>
        (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method))
        && (request.Path.StartsWithSegments("/health") || request.Path.StartsWithSegments("/metrics"));
}
