using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using Shop.Core.Users;

namespace Shop.Api.Infrastructure;

public static class Authentication
{
    public const string AdminPolicy = "admin";

    /// <summary>
    /// JWT bearer tokens: signature, issuer, audience and lifetime checked, HS256 only (so "none"
    /// and algorithm-confusion tokens are refused), then the user's current state from the
    /// database (cached briefly) decides whether the token still counts and with which role.
    /// </summary>
    public static IServiceCollection AddShopAuthentication(this IServiceCollection services)
    {
        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<IOptions<JwtOptions>, JwtSigningKey>((bearer, jwt, key) =>
            {
                bearer.MapInboundClaims = false;
                bearer.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidIssuer = jwt.Value.Issuer,
                    ValidAudience = jwt.Value.Audience,
                    IssuerSigningKey = key.Key,
                    ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
                    ValidateIssuer = true,
                    ValidateAudience = true,
                    ValidateLifetime = true,
                    ValidateIssuerSigningKey = true,
                    RequireExpirationTime = true,
                    RequireSignedTokens = true,
                    ClockSkew = TimeSpan.FromSeconds(30),
                    NameClaimType = ShopClaims.Subject,
                    RoleClaimType = ShopClaims.Role,
                };
                // A 401 says the token is invalid, never why (issuer, key, expiry): that would coach a forger.
                bearer.IncludeErrorDetails = false;
                bearer.Events = new JwtBearerEvents { OnTokenValidated = ApplyCurrentUserStateAsync, OnChallenge = InvalidTokenOnly };
            });

        services.AddAuthorizationBuilder()
            .AddPolicy(AdminPolicy, p => p.RequireAuthenticatedUser().RequireRole(Roles.Admin));
        return services;
    }

    /// <summary><c>WWW-Authenticate: Bearer error="invalid_token"</c> when a token was presented and refused; plain <c>Bearer</c> when none was.</summary>
    private static Task InvalidTokenOnly(JwtBearerChallengeContext context)
    {
        if (context.AuthenticateFailure is not null)
        {
            context.Error = "invalid_token";
        }

        return Task.CompletedTask;
    }

    private static async Task ApplyCurrentUserStateAsync(TokenValidatedContext context)
    {
        if (context.Principal?.Identity is not ClaimsIdentity identity || !Guid.TryParse(identity.FindFirst(ShopClaims.Subject)?.Value, out var userId))
        {
            context.Fail("The token has no valid subject.");
            return;
        }

        var services = context.HttpContext.RequestServices;
        var status = await services.GetRequiredService<UserStatusCache>()
            .GetAsync(userId, context.HttpContext.RequestAborted);
        if (!status.IsActive)
        {
            context.Fail("The user is deactivated or no longer exists.");
            return;
        }

        // A role changed by an admin applies to tokens already issued, not only to the next login.
        foreach (var role in identity.FindAll(ShopClaims.Role).ToList())
        {
            identity.RemoveClaim(role);
        }

        identity.AddClaim(new Claim(ShopClaims.Role, status.Role));
    }

    public static Guid UserId(this ClaimsPrincipal user) =>
        Guid.Parse(user.FindFirstValue(ShopClaims.Subject) ?? throw new InvalidOperationException("Authenticated principal without a subject."));

    /// <summary>The signed-in user's id, or null for an anonymous request.</summary>
    public static Guid? UserIdOrNull(this ClaimsPrincipal user) => user.Identity?.IsAuthenticated == true ? user.UserId() : null;

    /// <summary>The email the access token was issued to (emails never change).</summary>
    public static string? Email(this ClaimsPrincipal user) => user.FindFirstValue(ShopClaims.Email);
}
