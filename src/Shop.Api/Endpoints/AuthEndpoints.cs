using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Shop.Api.Infrastructure;
using Shop.Core.Users;

namespace Shop.Api.Endpoints;

public static class AuthEndpoints
{
    public static IEndpointRouteBuilder MapAuthEndpoints(this IEndpointRouteBuilder api)
    {
        var group = api.MapGroup("/auth").WithTags("Auth").WithRequestValidation();

        group.MapPost("/register", Register).RequireRateLimiting(RateLimiting.RegistrationPolicy).Problems(StatusCodes.Status409Conflict, "email-taken")
            .WithSummary("Create a customer account.");
        group.MapPost("/login", Login).Problems(StatusCodes.Status401Unauthorized, "unauthorized")
            .WithSummary("Exchange email and password for an access token and a refresh token.");
        group.MapPost("/refresh", Refresh).Problems(StatusCodes.Status401Unauthorized, "unauthorized")
            .WithSummary("Rotate a refresh token into a new token pair; a reused token revokes its session.");
        group.MapPost("/logout", Logout).RequireAuthorization()
            .WithSummary("Revoke one refresh token.");
        return api;
    }

    private static async Task<Created<UserResponse>> Register(RegisterRequest request, AuthService auth, CancellationToken cancellationToken)
    {
        var user = await auth.RegisterAsync(request, cancellationToken);
        return TypedResults.Created(Links.User(user.Id), user);
    }

    private static async Task<Ok<TokenResponse>> Login(LoginRequest request, AuthService auth, HttpContext http, CancellationToken cancellationToken) =>
        TypedResults.Ok(await auth.LoginAsync(request, RateLimiting.ClientAddress(http), cancellationToken));

    private static async Task<Ok<TokenResponse>> Refresh(RefreshRequest request, AuthService auth, CancellationToken cancellationToken) =>
        TypedResults.Ok(await auth.RefreshAsync(request, cancellationToken));

    private static async Task<NoContent> Logout(RefreshRequest request, ClaimsPrincipal user, AuthService auth, CancellationToken cancellationToken)
    {
        await auth.LogoutAsync(user.UserId(), request, cancellationToken);
        return TypedResults.NoContent();
    }
}
