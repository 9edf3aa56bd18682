using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Shop.Api.Infrastructure;
using Shop.Core.Common;
using Shop.Core.Orders;
using Shop.Core.Users;

namespace Shop.Api.Endpoints;

public static class OrderEndpoints
{
    public static IEndpointRouteBuilder MapOrderEndpoints(this IEndpointRouteBuilder api)
    {
        var orders = api.MapGroup("/orders").WithTags("Orders").RequireAuthorization().WithRequestValidation();
        orders.MapPost("/", PlaceOrder)
            .WithSummary("Place an order: every line's stock is reserved, all or none. Send an Idempotency-Key to retry safely.");
        orders.MapGet("/", ListOrders).WithSummary("Your orders, newest first; admins see all and may filter by userId.");
        orders.MapGet("/{id:guid}", GetOrder).WithSummary("One order.");
        orders.MapGet("/{id:guid}/tracking", TrackOrder).WithSummary("Status, carrier, tracking number and history.");
        orders.MapPost("/{id:guid}/cancel", CancelOrder).WithSummary("Cancel an order that is pending payment or paid; its stock is released.");
        orders.MapPatch("/{id:guid}/status", ChangeStatus).RequireAuthorization(Authentication.AdminPolicy)
            .WithSummary("Move an order along its lifecycle; shipped needs carrier and trackingNumber.");
        return api;
    }

    private static async Task<Results<Created<OrderResponse>, ContentHttpResult>> PlaceOrder(
        PlaceOrderRequest request, [FromHeader(Name = "Idempotency-Key")] string? idempotencyKey,
        ClaimsPrincipal user, OrderService orders, IdempotencyService idempotency, HttpContext http, CancellationToken cancellationToken)
    {
        var userId = user.UserId();
        if (idempotencyKey is null)
        {
            var placed = await orders.PlaceAsync(userId, request, null, cancellationToken);
            return TypedResults.Created(OrderService.Location(placed.Id), placed);
        }

        var start = await Idempotency.BeginAsync(idempotency, userId, OrderService.PlaceOperation, idempotencyKey, request, cancellationToken);
        if (start.Replay is { } replay)
        {
            return Idempotency.Replay(http, replay);
        }

        try
        {
            var placed = await orders.PlaceAsync(userId, request, start.Ticket, cancellationToken);
            return TypedResults.Created(OrderService.Location(placed.Id), placed);
        }
        catch
        {
            await idempotency.AbandonAsync(start.Ticket!.Value);
            throw;
        }
    }

    private static async Task<Ok<PagedResult<OrderResponse>>> ListOrders([AsParameters] OrderListQuery query, ClaimsPrincipal user, OrderService orders, CancellationToken cancellationToken) =>
        TypedResults.Ok(await orders.ListAsync(query, user.UserId(), user.IsInRole(Roles.Admin), cancellationToken));

    private static async Task<Ok<OrderResponse>> GetOrder(Guid id, ClaimsPrincipal user, OrderService orders, CancellationToken cancellationToken) =>
        TypedResults.Ok(await orders.GetAsync(id, user.UserId(), user.IsInRole(Roles.Admin), cancellationToken));

    private static async Task<Ok<TrackingResponse>> TrackOrder(Guid id, ClaimsPrincipal user, OrderService orders, CancellationToken cancellationToken) =>
        TypedResults.Ok(await orders.TrackAsync(id, user.UserId(), user.IsInRole(Roles.Admin), cancellationToken));

    private static async Task<Ok<OrderResponse>> CancelOrder(Guid id, CancelOrderRequest? request, ClaimsPrincipal user, OrderService orders, CancellationToken cancellationToken) =>
        TypedResults.Ok(await orders.CancelAsync(id, user.UserId(), user.IsInRole(Roles.Admin), request?.Reason, cancellationToken));

    private static async Task<Ok<OrderResponse>> ChangeStatus(Guid id, ChangeOrderStatusRequest request, ClaimsPrincipal admin, OrderService orders, CancellationToken cancellationToken) =>
        TypedResults.Ok(await orders.ChangeStatusAsync(id, admin.UserId(), request, cancellationToken));
}

/// <summary>The Idempotency-Key convention at the HTTP edge: validate the key, claim it, replay a stored answer.</summary>
internal static class Idempotency
{
    public static Task<IdempotencyStart> BeginAsync<TRequest>(
        IdempotencyService idempotency, Guid userId, string operation, string key, TRequest request, CancellationToken cancellationToken)
    {
        if (key.Length is 0 or > IdempotencyService.MaxKeyLength || key.Any(char.IsControl))
        {
            throw new RequestValidationException("Idempotency-Key", $"The Idempotency-Key header must be 1 to {IdempotencyService.MaxKeyLength} printable characters.");
        }

        return idempotency.BeginAsync(userId, operation, key, IdempotencyService.Fingerprint(request), cancellationToken);
    }

    public static ContentHttpResult Replay(HttpContext http, IdempotencyRecord replay)
    {
        if (replay.ResponseLocation is { } location)
        {
            http.Response.Headers.Location = location;
        }

        http.Response.Headers["Idempotent-Replayed"] = "true";
        return TypedResults.Content(replay.ResponseBody, "application/json", statusCode: replay.ResponseStatus);
    }
}
