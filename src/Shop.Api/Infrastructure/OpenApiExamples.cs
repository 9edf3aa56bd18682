using System.Text.Json;
using System.Text.Json.Nodes;
using Shop.Core.Carts;
using Shop.Core.Catalog;
using Shop.Core.Orders;
using Shop.Core.Payments;
using Shop.Core.Pricing;
using Shop.Core.Users;

namespace Shop.Api.Infrastructure;

/// <summary>
/// One example body per request type, shown in the OpenAPI document and the explorer. They are the
/// request records themselves, so a renamed field changes its example too.
/// </summary>
public static class OpenApiExamples
{
    private static readonly Guid ProductId = Guid.Parse("0199a6b2-3c4d-7e5f-8a9b-0c1d2e3f4a5b");
    private static readonly Guid CategoryId = Guid.Parse("0199a6b2-1111-7e5f-8a9b-0c1d2e3f4a5b");
    private static readonly Guid ShippingMethodId = Guid.Parse("0199a6b2-4444-7e5f-8a9b-0c1d2e3f4a5b");
    private static readonly AddressRequest Address = new("Ann Example", "1 Main Street", "Flat 2", "Springfield", "IL", "62701", "US");

    private static readonly Dictionary<Type, object> Examples = new()
    {
        [typeof(RegisterRequest)] = new RegisterRequest("ann@example.com", "correct-horse-9", "Ann Example"),
        [typeof(LoginRequest)] = new LoginRequest("ann@example.com", "correct-horse-9"),
        [typeof(RefreshRequest)] = new RefreshRequest("q8Vx3mY1n0l4s6ZkR2pWcT9bJhF5eDuA7gNiO-KrLsM"),
        [typeof(UpdateProfileRequest)] = new UpdateProfileRequest("Ann Example", "+1 555 0100"),
        [typeof(ChangePasswordRequest)] = new ChangePasswordRequest("correct-horse-9", "battery-staple-10"),
        [typeof(AddressRequest)] = Address,
        [typeof(AdminUpdateUserRequest)] = new AdminUpdateUserRequest("admin", true),
        [typeof(CategoryRequest)] = new CategoryRequest("Headphones", "headphones", null),
        [typeof(ProductRequest)] = new ProductRequest("HP-100", null, "Studio Headphones", "Closed-back, 40 mm drivers.", 129.99m, "USD", CategoryId,
            ["https://cdn.example.com/hp-100.jpg"], true),
        [typeof(VariantRequest)] = new VariantRequest("TS-100-M-RED", new() { ["Size"] = "M", ["Color"] = "Red" }, 24.99m, true),
        [typeof(SetInventoryRequest)] = new SetInventoryRequest(25, 5),
        [typeof(AdjustInventoryRequest)] = new AdjustInventoryRequest(-2, "Damaged in the warehouse"),
        [typeof(PlaceOrderRequest)] = new PlaceOrderRequest([new OrderItemRequest(ProductId, 2)], Address, null),
        [typeof(CancelOrderRequest)] = new CancelOrderRequest("Ordered the wrong size"),
        [typeof(ChangeOrderStatusRequest)] = new ChangeOrderStatusRequest("shipped", "UPS", "1Z999AA10123456784", "Left the warehouse"),
        [typeof(CreatePaymentRequest)] = new CreatePaymentRequest(Guid.Parse("0199a6b2-2222-7e5f-8a9b-0c1d2e3f4a5b"), "tok_visa"),
        [typeof(RefundPaymentRequest)] = new RefundPaymentRequest(10.00m, "Item returned"),
        [typeof(CreateCartRequest)] = new CreateCartRequest("ann@example.com"),
        [typeof(AddCartItemRequest)] = new AddCartItemRequest(null, ProductId, 2),
        [typeof(UpdateCartItemRequest)] = new UpdateCartItemRequest(3),
        [typeof(UpdateCartRequest)] = new UpdateCartRequest { Email = "ann@example.com", ShippingAddress = Address, ShippingMethodId = ShippingMethodId, DiscountCode = "WELCOME10" },
        [typeof(DiscountRequest)] = new DiscountRequest("SPRING15", "percentage", 15m, 50m, new DateTime(2027, 3, 1, 0, 0, 0, DateTimeKind.Utc),
            new DateTime(2027, 4, 1, 0, 0, 0, DateTimeKind.Utc), 500, true, null, [CategoryId], true),
        [typeof(ShippingMethodRequest)] = new ShippingMethodRequest("Standard", 4.99m, ["US", "CA"], 50m, true),
        [typeof(TaxRateRequest)] = new TaxRateRequest(0.2m, "VAT", true),
        [typeof(WebhookEvent)] = new WebhookEvent("evt_0001", WebhookEventTypes.ChargeSucceeded,
            new WebhookEventData(Guid.Parse("0199a6b2-3333-7e5f-8a9b-0c1d2e3f4a5b"), "ch_0001", 259.98m, null)),
    };

    public static JsonNode? For(Type requestType) =>
        Examples.TryGetValue(requestType, out var example) ? JsonSerializer.SerializeToNode(example, requestType, JsonSerializerOptions.Web) : null;
}
