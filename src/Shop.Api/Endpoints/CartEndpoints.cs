using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Shop.Api.Infrastructure;
using Shop.Core.Carts;
using Shop.Core.Common;
using Shop.Core.Orders;
using Shop.Core.Pricing;
using Shop.Core.Users;

namespace Shop.Api.Endpoints;

public static class CartEndpoints
{
    public static IEndpointRouteBuilder MapCartEndpoints(this IEndpointRouteBuilder api)
    {
        // Open to anonymous callers: a cart without an owner is anyone's who holds its id, until a signed-in request makes it theirs.
        var carts = api.MapGroup("/carts").WithTags("Carts").WithRequestValidation();
        carts.MapPost("/", CreateCart).WithSummary("Start a cart. Made by a signed-in user it is theirs; otherwise it has no owner until a signed-in request touches it.");
        carts.MapGet("/{id:guid}", GetCart).WithSummary("The cart, priced now from the catalog: subtotal, discount, shipping, tax, total.");
        carts.MapPost("/{id:guid}/items", AddItem).Problems(StatusCodes.Status409Conflict, "cart-closed", "concurrent-change")
            .WithSummary("Add a variant (or a product with one variant); adding one already in the cart adds to its line.");
        carts.MapPatch("/{id:guid}/items/{lineId:guid}", UpdateItem).Problems(StatusCodes.Status409Conflict, "cart-closed", "concurrent-change")
            .WithSummary("Set a line's quantity; 0 removes the line.");
        carts.MapDelete("/{id:guid}/items/{lineId:guid}", RemoveItem).Problems(StatusCodes.Status409Conflict, "cart-closed", "concurrent-change")
            .WithSummary("Remove a line.");
        carts.MapPatch("/{id:guid}", UpdateCart).Problems(StatusCodes.Status409Conflict, "cart-closed", "concurrent-change")
            .WithSummary("Set the email, shipping address (or a saved address's id), shipping method or discount code: only the fields sent change, null clears one.");
        carts.MapQuery("/{id:guid}/shipping-methods", CartShippingMethods)
            .WithSummary("The active shipping methods for the cart's destination, each with its price for this cart.");
        carts.MapPost("/{id:guid}/checkout", Checkout).RequireAuthorization()
            .WithIdempotencyKey(CartService.CheckoutOperation, Links.Order, required: false)
            .Problems(StatusCodes.Status409Conflict, "cart-closed", "concurrent-change", "insufficient-stock", "discount-unavailable")
            .WithSummary("Place the order the cart holds, re-priced now, with the guarantees of POST /orders; the cart is then closed.");
        return api;
    }

    private static CartCaller Caller(ClaimsPrincipal user) => new(user.UserIdOrNull(), user.IsInRole(Roles.Admin), user.Email());

    private static async Task<Created<CartResponse>> CreateCart(CreateCartRequest? request, ClaimsPrincipal user, CartService carts, CancellationToken cancellationToken)
    {
        var cart = await carts.CreateAsync(Caller(user), request, cancellationToken);
        return TypedResults.Created(Links.Cart(cart.Id), cart);
    }

    private static async Task<Ok<CartResponse>> GetCart(Guid id, ClaimsPrincipal user, CartService carts, CancellationToken cancellationToken) =>
        TypedResults.Ok(await carts.GetAsync(id, Caller(user), cancellationToken));

    private static async Task<Ok<CartResponse>> AddItem(Guid id, AddCartItemRequest request, ClaimsPrincipal user, CartService carts, CancellationToken cancellationToken) =>
        TypedResults.Ok(await carts.AddItemAsync(id, Caller(user), request, cancellationToken));

    private static async Task<Ok<CartResponse>> UpdateItem(Guid id, Guid lineId, UpdateCartItemRequest request, ClaimsPrincipal user, CartService carts,
        CancellationToken cancellationToken) =>
        TypedResults.Ok(await carts.UpdateItemAsync(id, lineId, Caller(user), request, cancellationToken));

    private static async Task<Ok<CartResponse>> RemoveItem(Guid id, Guid lineId, ClaimsPrincipal user, CartService carts, CancellationToken cancellationToken) =>
        TypedResults.Ok(await carts.RemoveItemAsync(id, lineId, Caller(user), cancellationToken));

    private static async Task<Ok<CartResponse>> UpdateCart(Guid id, UpdateCartRequest request, ClaimsPrincipal user, CartService carts, CancellationToken cancellationToken) =>
        TypedResults.Ok(await carts.UpdateAsync(id, Caller(user), request, cancellationToken));

    private static async Task<Ok<PagedResult<ShippingMethodResponse>>> CartShippingMethods(
        Guid id, [AsParameters] CartShippingMethodsQuery query, ClaimsPrincipal user, CartService carts, CancellationToken cancellationToken) =>
        TypedResults.Ok(await carts.ShippingMethodsAsync(id, Caller(user), query.Paging, cancellationToken));

    private static async Task<Created<OrderResponse>> Checkout(Guid id, ClaimsPrincipal user, CartService carts, HttpContext http, CancellationToken cancellationToken)
    {
        var order = await carts.CheckoutAsync(id, Caller(user), Idempotency.TicketOf(http), cancellationToken);
        return TypedResults.Created(Links.Order(order.Id), order);
    }
}
