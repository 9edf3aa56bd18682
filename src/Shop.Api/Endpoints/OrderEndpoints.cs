using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
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
            .WithIdempotencyKey(OrderService.PlaceOperation, Links.Order, required: false)
            .Problems(StatusCodes.Status404NotFound, "not-found")
            .Problems(StatusCodes.Status409Conflict, "insufficient-stock")
            .WithSummary("Place an order: every line's stock is reserved, all or none. Send an Idempotency-Key to retry safely.");
        orders.MapQuery("/", ListOrders).WithSummary("Your orders, newest first; admins see all and may filter by userId.");
        orders.MapGet("/{id:guid}", GetOrder).WithSummary("One order.");
        orders.MapGet("/{id:guid}/tracking", TrackOrder).WithSummary("Status, carrier, tracking number and history.");
        orders.MapPost("/{id:guid}/cancel", CancelOrder).Problems(StatusCodes.Status409Conflict, "illegal-transition", "concurrent-change")
            .WithSummary("Cancel an order that is pending payment or paid; its stock is released.");
        orders.MapPatch("/{id:guid}/status", ChangeStatus).RequireAuthorization(Authentication.AdminPolicy)
            .Problems(StatusCodes.Status409Conflict, "illegal-transition", "concurrent-change")
            .WithSummary("Move an order along its lifecycle; shipped needs carrier and trackingNumber.");
        return api;
    }

    private static async Task<Created<OrderResponse>> PlaceOrder(
        PlaceOrderRequest request, ClaimsPrincipal user, OrderService orders, HttpContext http, CancellationToken cancellationToken)
    {
        var placed = await orders.PlaceAsync(user.UserId(), user.Email(), request, Idempotency.TicketOf(http), cancellationToken);
        return TypedResults.Created(Links.Order(placed.Id), placed);
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
