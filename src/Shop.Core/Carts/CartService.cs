using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Shop.Core.Catalog;
using Shop.Core.Common;
using Shop.Core.Data;
using Shop.Core.Orders;
using Shop.Core.Pricing;

namespace Shop.Core.Carts;

/// <summary>
/// Carts: lines per variant, the customer's choices (email, address, shipping method, code), priced
/// from the catalog on every read by the same <see cref="PriceQuoter"/> as checkout. Checkout hands
/// the cart to <see cref="OrderService"/>, which closes it in the order's own transaction.
/// </summary>
public sealed class CartService(
    ShopDbContext db, PriceQuoter quoter, PricingSettings settings, OrderService orders, TimeProvider clock,
    IOptions<CartsOptions> options, IOptions<CatalogOptions> catalog)
{
    public const string CheckoutOperation = "POST /carts/{id}/checkout";

    private string Currency => catalog.Value.DefaultCurrency;

    public async Task<CartResponse> CreateAsync(CartCaller caller, CreateCartRequest? request, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var cart = new Cart { UserId = caller.UserId, Email = request?.Email?.Trim(), CreatedAt = now, UpdatedAt = now };
        db.Carts.Add(cart);
        await db.SaveChangesAsync(cancellationToken);
        return await PriceAsync(cart, cancellationToken);
    }

    public async Task<CartResponse> GetAsync(Guid id, CartCaller caller, CancellationToken cancellationToken) =>
        await PriceAsync(await FindAsync(id, caller, forChange: false, cancellationToken), cancellationToken);

    public async Task<CartResponse> AddItemAsync(Guid id, CartCaller caller, AddCartItemRequest request, CancellationToken cancellationToken)
    {
        var cart = await FindAsync(id, caller, forChange: true, cancellationToken);
        var variant = await SellableVariantAsync(request, cancellationToken);
        if (cart.Lines.Find(l => l.VariantId == variant.Id) is { } line)
        {
            line.Quantity = EnsureQuantity(line.Quantity + request.Quantity, "quantity");
        }
        else
        {
            // Added through the set: a new line's id is set already, and found through the navigation alone EF Core would take it for an existing row.
            db.CartLines.Add(new CartLine { CartId = cart.Id, VariantId = variant.Id, Quantity = request.Quantity, AddedAt = clock.GetUtcNow().UtcDateTime });
        }

        return await SaveAsync(cart, cancellationToken);
    }

    public async Task<CartResponse> UpdateItemAsync(Guid id, Guid lineId, CartCaller caller, UpdateCartItemRequest request, CancellationToken cancellationToken)
    {
        var cart = await FindAsync(id, caller, forChange: true, cancellationToken);
        var line = cart.Lines.Find(l => l.Id == lineId) ?? throw new NotFoundException("The cart has no line with this id.");
        if (request.Quantity == 0)
        {
            cart.Lines.Remove(line);
        }
        else
        {
            line.Quantity = request.Quantity;
        }

        return await SaveAsync(cart, cancellationToken);
    }

    public async Task<CartResponse> RemoveItemAsync(Guid id, Guid lineId, CartCaller caller, CancellationToken cancellationToken)
    {
        var cart = await FindAsync(id, caller, forChange: true, cancellationToken);
        var line = cart.Lines.Find(l => l.Id == lineId) ?? throw new NotFoundException("The cart has no line with this id.");
        cart.Lines.Remove(line);
        return await SaveAsync(cart, cancellationToken);
    }

    /// <summary>
    /// Changes the fields sent. A shipping method or code sent is checked (400 naming the field, and
    /// nothing changes); a new address that the chosen method does not serve drops the method.
    /// </summary>
    public async Task<CartResponse> UpdateAsync(Guid id, CartCaller caller, UpdateCartRequest request, CancellationToken cancellationToken)
    {
        var cart = await FindAsync(id, caller, forChange: true, cancellationToken);
        if (request.WasSent(nameof(request.Email)))
        {
            cart.Email = request.Email?.Trim();
        }

        if (request.ShippingAddress is not null || request.ShippingAddressId is not null)
        {
            cart.ShippingAddress = request.ShippingAddressId is not null && caller.UserId is null
                ? throw new RequestValidationException("shippingAddressId", "Sign in to use one of your saved addresses.")
                : await orders.ResolveAddressAsync(caller.UserId ?? Guid.Empty, request.ShippingAddress, request.ShippingAddressId, cancellationToken);
        }
        else if (request.WasSent(nameof(request.ShippingAddress)) || request.WasSent(nameof(request.ShippingAddressId)))
        {
            cart.ShippingAddress = null;
        }

        var country = cart.ShippingAddress?.Country;
        var methodSent = request.WasSent(nameof(request.ShippingMethodId));
        var codeSent = request.WasSent(nameof(request.DiscountCode));
        var lines = await LinesAsync(cart, cancellationToken);
        // Only what was sent is checked: a code that expired since it was added does not refuse a new email.
        var check = await quoter.QuoteAsync(new QuoteInput(lines.Select(l => l.Pricing).ToList(), Currency, country,
            methodSent ? request.ShippingMethodId : null, codeSent ? request.DiscountCode : null, cart.UserId), QuoteMode.Change, cancellationToken);

        if (methodSent)
        {
            cart.ShippingMethodId = request.ShippingMethodId;
        }
        else if (cart.ShippingMethodId is { } chosen && await settings.ShippingMethodAsync(chosen, cancellationToken) is { } method && !method.Serves(country))
        {
            cart.ShippingMethodId = null;
        }

        if (codeSent)
        {
            // As the shop spells it ("welcome10" finds WELCOME10).
            cart.DiscountCode = check.Discount?.Code;
        }

        // The lines did not change: priced from what was read above, not read again.
        return await SaveAsync(cart, cancellationToken, lines);
    }

    /// <summary>The active methods for the cart's destination (every active one before it has an address), each priced for this cart.</summary>
    public async Task<PagedResult<ShippingMethodResponse>> ShippingMethodsAsync(Guid id, CartCaller caller, PageQuery paging, CancellationToken cancellationToken)
    {
        var cart = await FindAsync(id, caller, forChange: false, cancellationToken);
        var subtotal = (await LinesAsync(cart, cancellationToken)).Sum(l => l.Pricing.TotalMinor);
        var country = cart.ShippingAddress?.Country;
        var methods = await settings.ActiveMethodsForAsync(country, cancellationToken);
        var page = methods.Skip(paging.Skip).Take(paging.Size)
            .Select(m => m.ToResponse(Currency) with { Price = Money.ToMajor(m.ToTerms().PriceFor(subtotal)) }).ToList();
        return PagedResult.Create(page, paging, methods.Count);
    }

    /// <summary>
    /// Turns the cart into an order with the guarantees of <c>POST /orders</c>. The cart is closed in
    /// the order's transaction by a conditional UPDATE on the version read here: of two checkouts at
    /// once one makes the order and the other gets 409, and a change made meanwhile is never lost.
    /// </summary>
    public async Task<OrderResponse> CheckoutAsync(Guid id, CartCaller caller, IdempotencyTicket? ticket, CancellationToken cancellationToken)
    {
        var cart = await FindAsync(id, caller with { IsAdmin = false }, forChange: true, cancellationToken);
        var userId = cart.UserId!.Value;
        var errors = new Dictionary<string, string[]>();
        if (cart.Lines.Count == 0)
        {
            errors["items"] = ["The cart is empty."];
        }

        if (cart.ShippingAddress is null)
        {
            errors["shippingAddress"] = ["Add a shipping address to the cart (PATCH /carts/{id})."];
        }
        else if (cart.ShippingMethodId is null
                 && (await settings.ActiveMethodsForAsync(cart.ShippingAddress.Country, cancellationToken)).Count > 0)
        {
            errors["shippingMethodId"] = ["Choose a shipping method (GET /carts/{id}/shipping-methods lists them)."];
        }

        if (errors.Count > 0)
        {
            throw new RequestValidationException(errors, "The cart cannot be checked out yet.");
        }

        var draft = new OrderDraft(userId, cart.Email ?? caller.Email, cart.ShippingAddress!,
            cart.Lines.OrderBy(l => l.AddedAt).Select(l => new OrderItemRequest(null, l.Quantity, l.VariantId)).ToList(),
            cart.ShippingMethodId, cart.DiscountCode);
        db.ChangeTracker.Clear();
        return await orders.PlaceAsync(draft, ticket, (order, ct) => CloseAsync(cart, order, ct), cancellationToken);
    }

    private async Task CloseAsync(Cart cart, Order order, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var closed = await db.Carts.Where(c => c.Id == cart.Id && c.OrderId == null && c.Version == cart.Version)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.OrderId, order.Id).SetProperty(c => c.UpdatedAt, now).SetProperty(c => c.Version, c => c.Version + 1),
                cancellationToken);
        if (closed == 0)
        {
            throw await db.Carts.AnyAsync(c => c.Id == cart.Id && c.OrderId != null, cancellationToken)
                ? CartClosed()
                : new ConflictException("The cart changed while it was being checked out. Read it again and check out once more.", "concurrent-change");
        }
    }

    /// <summary>
    /// The cart, if the caller may see it: a cart without an owner is anyone's who holds its id, and
    /// the first signed-in caller becomes its owner; an owned cart is 404 to everyone else (admins may
    /// read it). An expired cart is 404 at once, before the recurring job deletes it.
    /// </summary>
    private async Task<Cart> FindAsync(Guid id, CartCaller caller, bool forChange, CancellationToken cancellationToken)
    {
        var cart = await db.Carts.Include(c => c.Lines).SingleOrDefaultAsync(c => c.Id == id, cancellationToken);
        if (cart is null || cart.UpdatedAt + options.Value.Lifetime <= clock.GetUtcNow().UtcDateTime)
        {
            throw CartNotFound();
        }

        if (cart.UserId is null && caller.UserId is { } claimant)
        {
            // Conditional: of two users claiming at once, one wins, and the other is a stranger to the cart.
            await db.Carts.Where(c => c.Id == id && c.UserId == null)
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.UserId, claimant).SetProperty(c => c.Version, c => c.Version + 1), cancellationToken);
            await db.Entry(cart).ReloadAsync(cancellationToken);
        }

        if (cart.UserId is { } owner && owner != caller.UserId && !(caller.IsAdmin && !forChange))
        {
            throw CartNotFound();
        }

        if (forChange && cart.IsClosed)
        {
            throw CartClosed();
        }

        return cart;
    }

    private async Task<CartResponse> SaveAsync(Cart cart, CancellationToken cancellationToken, List<PricedCartLine>? unchangedLines = null)
    {
        cart.UpdatedAt = clock.GetUtcNow().UtcDateTime;
        cart.Version++;
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (e is DbUpdateConcurrencyException || e.IsUniqueViolation())
        {
            throw new ConflictException("The cart was changed at the same moment by another request. Read it again.", "concurrent-change");
        }

        return await PriceAsync(cart, cancellationToken, unchangedLines);
    }

    /// <summary>The cart priced now, from the catalog's current prices and stock (its lines as just read, when given).</summary>
    private async Task<CartResponse> PriceAsync(Cart cart, CancellationToken cancellationToken, List<PricedCartLine>? lines = null)
    {
        lines ??= await LinesAsync(cart, cancellationToken);
        var quote = await quoter.QuoteAsync(new QuoteInput(lines.Select(l => l.Pricing).ToList(), Currency, cart.ShippingAddress?.Country,
            cart.ShippingMethodId, cart.DiscountCode, cart.UserId), QuoteMode.Browse, cancellationToken);
        var price = quote.Price;
        var items = lines.Select((l, i) => new CartLineResponse(
            l.Line.Id, l.Pricing.ProductId, l.Pricing.VariantId, l.Sku, l.Name, l.OptionValues, Money.ToMajor(l.Pricing.UnitPriceMinor), l.Line.Quantity,
            Money.ToMajor(price.Lines[i].TotalMinor), Money.ToMajor(price.Lines[i].DiscountMinor), Money.ToMajor(price.Lines[i].TaxMinor), l.Available)).ToList();
        return new CartResponse(
            cart.Id, cart.UserId, cart.IsClosed ? "closed" : "open", items, Currency, Money.ToMajor(price.SubtotalMinor), cart.DiscountCode,
            Money.ToMajor(price.DiscountTotalMinor), cart.ShippingAddress?.ToResponse(),
            quote.ShippingMethod is { } method ? new CartShippingMethodResponse(method.Id, method.Name, Money.ToMajor(method.ToTerms().PriceFor(price.SubtotalMinor))) : null,
            Money.ToMajor(price.ShippingTotalMinor), Money.ToMajor(price.TaxTotalMinor), Money.ToMajor(price.TotalMinor), cart.Email, cart.OrderId,
            cart.CreatedAt, cart.UpdatedAt, cart.UpdatedAt + options.Value.Lifetime);
    }

    private sealed record PricedCartLine(CartLine Line, PricingLine Pricing, string Sku, string Name, Dictionary<string, string> OptionValues, int Available);

    /// <summary>Each line with its variant's current price and available stock, in the order the lines were added.</summary>
    private async Task<List<PricedCartLine>> LinesAsync(Cart cart, CancellationToken cancellationToken)
    {
        if (cart.Lines.Count == 0)
        {
            return [];
        }

        var variantIds = cart.Lines.Select(l => l.VariantId).ToList();
        var rows = await db.Variants.AsNoTracking().Where(v => variantIds.Contains(v.Id))
            .Join(db.Products, v => v.ProductId, p => p.Id, (v, p) => new { Variant = v, p.Name, p.CategoryId })
            .Select(x => new
            {
                x.Variant, x.Name, x.CategoryId,
                Available = db.Inventory.Where(i => i.VariantId == x.Variant.Id).Select(i => i.OnHand - i.Reserved).FirstOrDefault(),
            })
            .ToListAsync(cancellationToken);
        return cart.Lines.OrderBy(l => l.AddedAt).ThenBy(l => l.Id)
            .Join(rows, l => l.VariantId, r => r.Variant.Id, (l, r) => new PricedCartLine(
                l, new PricingLine(r.Variant.Id, r.Variant.ProductId, r.CategoryId, r.Variant.PriceMinor, l.Quantity), r.Variant.Sku, r.Name,
                r.Variant.OptionValues, Math.Max(0, r.Available)))
            .ToList();
    }

    /// <summary>The variant a new line names: active, of an active product, priced in the cart's currency.</summary>
    private async Task<ProductVariant> SellableVariantAsync(AddCartItemRequest request, CancellationToken cancellationToken)
    {
        var query = db.Variants.AsNoTracking().Join(db.Products, v => v.ProductId, p => p.Id, (v, p) => new { Variant = v, ProductActive = p.IsActive });
        query = request.VariantId is { } variantId
            ? query.Where(x => x.Variant.Id == variantId && (request.ProductId == null || x.Variant.ProductId == request.ProductId))
            : query.Where(x => x.Variant.ProductId == request.ProductId);
        var found = await query.Take(2).ToListAsync(cancellationToken);
        var field = request.VariantId is null ? "productId" : "variantId";
        var variant = found switch
        {
            [_, _] => throw new RequestValidationException("productId", "This product has several variants: name the one you want (variantId)."),
            [{ Variant.IsActive: true, ProductActive: true } only] => only.Variant,
            _ => throw new RequestValidationException(field, request.VariantId is null ? "No product with this id is for sale." : "No variant with this id is for sale."),
        };
        return variant.Currency == Currency
            ? variant
            : throw new RequestValidationException(field, $"This product is priced in {variant.Currency}; the cart is in {Currency}.");
    }

    private static int EnsureQuantity(int quantity, string field) => quantity <= OrderLimits.MaxQuantity
        ? quantity
        : throw new RequestValidationException(field, $"A line holds at most {OrderLimits.MaxQuantity}; this would make {quantity}.");

    private static NotFoundException CartNotFound() => new("Cart not found.");

    private static ConflictException CartClosed() => new("The cart has been checked out and is closed: start a new cart.", "cart-closed");
}
