using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Shop.Api.Infrastructure;
using Shop.Core.Common;
using Shop.Core.Users;

namespace Shop.Api.Endpoints;

public static class UserEndpoints
{
    public static IEndpointRouteBuilder MapUserEndpoints(this IEndpointRouteBuilder api)
    {
        var me = api.MapGroup("/users/me").WithTags("Profile").RequireAuthorization().WithRequestValidation();
        me.MapGet("/", GetMe).WithSummary("Your profile.");
        me.MapPatch("/", UpdateMe).WithSummary("Change your full name or phone; fields left out stay as they are, an empty phone clears it.");
        me.MapPost("/password", ChangePassword).WithSummary("Change your password; every refresh token you hold is revoked.");
        me.MapQuery("/addresses", ListAddresses).WithSummary("Your saved addresses.");
        me.MapGet("/addresses/{id:guid}", GetAddress).WithSummary("One of your addresses.");
        me.MapPost("/addresses", CreateAddress).Problems(StatusCodes.Status409Conflict, "address-limit").WithSummary("Save an address.");
        me.MapPut("/addresses/{id:guid}", UpdateAddress).WithSummary("Replace one of your addresses.");
        me.MapDelete("/addresses/{id:guid}", DeleteAddress).WithSummary("Delete one of your addresses.");

        var admin = api.MapGroup("/users").WithTags("Users (admin)").RequireAuthorization(Authentication.AdminPolicy).WithRequestValidation();
        admin.MapQuery("/", ListUsers).WithSummary("All users, filtered by email (substring) and role.");
        admin.MapGet("/{id:guid}", GetUser).WithSummary("One user.");
        admin.MapPatch("/{id:guid}", UpdateUser).Problems(StatusCodes.Status409Conflict, "self-demotion").WithSummary("Change a user's role or deactivate them; deactivation revokes their sessions.");
        return api;
    }

    private static async Task<Ok<UserResponse>> GetMe(ClaimsPrincipal user, UserService users, CancellationToken cancellationToken) =>
        TypedResults.Ok(await users.GetAsync(user.UserId(), cancellationToken));

    private static async Task<Ok<UserResponse>> UpdateMe(UpdateProfileRequest request, ClaimsPrincipal user, UserService users, CancellationToken cancellationToken) =>
        TypedResults.Ok(await users.UpdateProfileAsync(user.UserId(), request, cancellationToken));

    private static async Task<NoContent> ChangePassword(ChangePasswordRequest request, ClaimsPrincipal user, AuthService auth, HttpContext http, CancellationToken cancellationToken)
    {
        await auth.ChangePasswordAsync(user.UserId(), RateLimiting.ClientAddress(http), request, cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<PagedResult<AddressResponse>>> ListAddresses([AsParameters] PageQuery paging, ClaimsPrincipal user, AddressService addresses, CancellationToken cancellationToken) =>
        TypedResults.Ok(await addresses.ListAsync(user.UserId(), paging, cancellationToken));

    private static async Task<Ok<AddressResponse>> GetAddress(Guid id, ClaimsPrincipal user, AddressService addresses, CancellationToken cancellationToken) =>
        TypedResults.Ok(await addresses.GetAsync(user.UserId(), id, cancellationToken));

    private static async Task<Created<AddressResponse>> CreateAddress(AddressRequest request, ClaimsPrincipal user, AddressService addresses, CancellationToken cancellationToken)
    {
        var address = await addresses.CreateAsync(user.UserId(), request, cancellationToken);
        return TypedResults.Created(Links.Address(address.Id), address);
    }

    private static async Task<Ok<AddressResponse>> UpdateAddress(Guid id, AddressRequest request, ClaimsPrincipal user, AddressService addresses, CancellationToken cancellationToken) =>
        TypedResults.Ok(await addresses.UpdateAsync(user.UserId(), id, request, cancellationToken));

    private static async Task<NoContent> DeleteAddress(Guid id, ClaimsPrincipal user, AddressService addresses, CancellationToken cancellationToken)
    {
        await addresses.DeleteAsync(user.UserId(), id, cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<PagedResult<UserResponse>>> ListUsers([AsParameters] UserListQuery query, UserService users, CancellationToken cancellationToken) =>
        TypedResults.Ok(await users.ListAsync(query, cancellationToken));

    private static async Task<Ok<UserResponse>> GetUser(Guid id, UserService users, CancellationToken cancellationToken) =>
        TypedResults.Ok(await users.GetAsync(id, cancellationToken));

    private static async Task<Ok<UserResponse>> UpdateUser(Guid id, AdminUpdateUserRequest request, ClaimsPrincipal admin, UserService users, CancellationToken cancellationToken) =>
        TypedResults.Ok(await users.AdminUpdateAsync(admin.UserId(), id, request, cancellationToken));
}
