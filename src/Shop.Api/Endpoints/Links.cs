namespace Shop.Api.Endpoints;

/// <summary>Where each resource lives: the Location of everything the API creates, built in one place.</summary>
public static class Links
{
    public const string ApiBase = "/api/v1";

    public static string User(Guid id) => $"{ApiBase}/users/{id}";

    public static string Address(Guid id) => $"{ApiBase}/users/me/addresses/{id}";

    public static string Category(Guid id) => $"{ApiBase}/categories/{id}";

    public static string Product(Guid id) => $"{ApiBase}/products/{id}";

    public static string InventoryAdjustments(Guid productId) => $"{ApiBase}/products/{productId}/inventory/adjustments";

    public static string Variant(Guid productId, Guid variantId) => $"{ApiBase}/products/{productId}/variants/{variantId}";

    public static string VariantInventoryAdjustments(Guid productId, Guid variantId) => $"{Variant(productId, variantId)}/inventory/adjustments";

    public static string Order(Guid id) => $"{ApiBase}/orders/{id}";

    public static string Payment(Guid id) => $"{ApiBase}/payments/{id}";

    public static string Cart(Guid id) => $"{ApiBase}/carts/{id}";

    public static string Discount(Guid id) => $"{ApiBase}/discounts/{id}";

    public static string ShippingMethod(Guid id) => $"{ApiBase}/shipping-methods/{id}";
}
