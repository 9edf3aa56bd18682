using System.Text.Json.Serialization;
using Shop.Core.Common;
using Shop.Core.Orders;
using Shop.Core.Users;

namespace Shop.Core.Carts;

/// <summary>The body of <c>POST /carts</c>: nothing is needed; an email may come along.</summary>
public sealed record CreateCartRequest(string? Email);

/// <summary>A line names a variant, or a product that has exactly one.</summary>
public sealed record AddCartItemRequest(Guid? VariantId, Guid? ProductId, int Quantity);

public sealed record UpdateCartItemRequest([property: JsonRequired] int Quantity);

/// <summary>
/// <c>PATCH /carts/{id}</c>: only the fields sent change, and a field sent as <c>null</c> is cleared.
/// Each setter notes that its field was sent (System.Text.Json calls it only for a field present
/// in the body, null included), so "left out" and "null" stay apart.
/// </summary>
public sealed class UpdateCartRequest
{
    private readonly HashSet<string> _sent = [];

    public string? Email { get; set => Sent(field = value); }
    public AddressRequest? ShippingAddress { get; set => Sent(field = value); }
    public Guid? ShippingAddressId { get; set => Sent(field = value); }
    public Guid? ShippingMethodId { get; set => Sent(field = value); }
    public string? DiscountCode { get; set => Sent(field = value); }

    public bool WasSent(string field) => _sent.Contains(field);

    private void Sent<T>(T _, [System.Runtime.CompilerServices.CallerMemberName] string field = "") => _sent.Add(field);
}

public sealed record CartLineResponse(
    Guid Id, Guid ProductId, Guid VariantId, string Sku, string Name, IReadOnlyDictionary<string, string> OptionValues, decimal UnitPrice,
    int Quantity, decimal LineTotal, decimal Discount, decimal Tax, int Available);

public sealed record CartShippingMethodResponse(Guid Id, string Name, decimal Price);

public sealed record CartResponse(
    Guid Id, Guid? UserId, string Status, IReadOnlyList<CartLineResponse> Items, string Currency, decimal Subtotal, string? DiscountCode, decimal DiscountTotal,
    ShippingAddressResponse? ShippingAddress, CartShippingMethodResponse? ShippingMethod, decimal ShippingTotal, decimal TaxTotal, decimal Total,
    string? Email, Guid? OrderId, DateTime CreatedAt, DateTime UpdatedAt, DateTime ExpiresAt);

public sealed record CartShippingMethodsQuery(int? Page, int? PageSize)
{
    public PageQuery Paging => new(Page, PageSize);
}

/// <summary>Who is asking: a cart is open to whoever holds its id until a signed-in request makes it theirs.</summary>
public sealed record CartCaller(Guid? UserId, bool IsAdmin, string? Email);
