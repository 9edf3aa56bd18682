using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Shop.Core.Caching;
using Shop.Core.Catalog;
using Shop.Core.Common;
using Shop.Core.Data;
using Shop.Core.Events;
using Shop.Core.Messaging;
using Shop.Core.Pricing;
using Shop.Core.Users;
using Wolverine.EntityFrameworkCore;

namespace Shop.Core.Orders;

/// <summary>Who asked for a change: shown in the status history.</summary>
public sealed record Actor(string Kind, Guid? UserId)
{
    public static Actor Customer(Guid userId) => new("customer", userId);
    public static Actor Admin(Guid userId) => new("admin", userId);
    public static readonly Actor System = new("system", null);
}

/// <summary>
/// Checkout and the order lifecycle. Stock is reserved by one conditional UPDATE per line inside
/// the order's transaction (all lines or none, all in one round trip), in variant id order so that
/// two orders naming the same products never wait on each other in a cycle; every status change goes through
/// <see cref="OrderStateMachine"/> and <see cref="MoveAsync"/>.
/// </summary>
public sealed class OrderService(ShopDbContext db, IDbContextOutbox<ShopDbContext> outbox, IdempotencyService idempotency, PriceQuoter quoter, TimeProvider clock)
{
    public const string PlaceOperation = "POST /orders";

    public async Task<OrderResponse> PlaceAsync(Guid userId, string? email, PlaceOrderRequest request, IdempotencyTicket? idempotencyTicket, CancellationToken cancellationToken)
    {
        var address = await ResolveAddressAsync(userId, request.ShippingAddress, request.ShippingAddressId, cancellationToken);
        var draft = new OrderDraft(userId, email, address, request.Items, request.ShippingMethodId, request.DiscountCode);
        return await PlaceAsync(draft, idempotencyTicket, alsoInTransaction: null, cancellationToken);
    }

    /// <summary>
    /// Places an order: the lines resolved and priced (<see cref="PriceQuoter"/>, as a cart is), then
    /// in one transaction the order's rows, <paramref name="alsoInTransaction"/> (a cart's checkout
    /// closes the cart there), the discount's use and every line's reservation: all of it or nothing.
    /// </summary>
    public async Task<OrderResponse> PlaceAsync(OrderDraft draft, IdempotencyTicket? idempotencyTicket,
        Func<Order, CancellationToken, Task>? alsoInTransaction, CancellationToken cancellationToken)
    {
        // One line per variant, in variant id order: concurrent orders lock stock rows in the same order.
        var wanted = (await ResolveLinesAsync(draft.Items, cancellationToken))
            .GroupBy(l => l.Variant.Id)
            .Select(g => g.First() with { Quantity = g.Sum(l => l.Quantity) })
            .OrderBy(l => l.Variant.Id)
            .ToList();
        EnsureOrderable(wanted);

        var currency = wanted[0].Variant.Currency;
        var pricing = wanted.Select(w => new PricingLine(w.Variant.Id, w.Variant.ProductId, w.CategoryId, w.Variant.PriceMinor, w.Quantity)).ToList();
        var quote = await quoter.QuoteAsync(
            new QuoteInput(pricing, currency, draft.Address.Country, draft.ShippingMethodId, draft.DiscountCode, draft.UserId), QuoteMode.Checkout, cancellationToken);
        var price = quote.Price;

        var now = clock.GetUtcNow().UtcDateTime;
        var lines = wanted.Select((w, i) => new OrderLine
        {
            ProductId = w.Variant.ProductId, VariantId = w.Variant.Id, Sku = w.Variant.Sku, Name = w.ProductName, OptionValues = w.Variant.OptionValues,
            UnitPriceMinor = w.Variant.PriceMinor, Quantity = w.Quantity, LineTotalMinor = price.Lines[i].TotalMinor,
            DiscountMinor = price.Lines[i].DiscountMinor, TaxMinor = price.Lines[i].TaxMinor,
        }).ToList();
        var order = new Order
        {
            Number = OrderNumbers.New(),
            UserId = draft.UserId,
            SubtotalMinor = price.SubtotalMinor,
            DiscountId = quote.Discount?.Id,
            DiscountCode = quote.Discount?.Code,
            DiscountTotalMinor = price.DiscountTotalMinor,
            ShippingMethodId = quote.ShippingMethod?.Id,
            ShippingMethodName = quote.ShippingMethod?.Name,
            ShippingTotalMinor = price.ShippingTotalMinor,
            ShippingTaxMinor = price.ShippingTaxMinor,
            TaxTotalMinor = price.TaxTotalMinor,
            TotalMinor = price.TotalMinor,
            Currency = currency,
            Email = draft.Email,
            ShippingAddress = draft.Address,
            CreatedAt = now,
            UpdatedAt = now,
            Lines = lines,
            History = [new OrderStatusChange { Status = OrderStatus.PendingPayment, At = now, Actor = "customer", ActorUserId = draft.UserId, Note = "Order placed." }],
        };

        // The order's rows first, then the reservations, all in one transaction (a refused line rolls
        // the order back too). Written first, a clashing order number costs nothing to retry.
        await using var transaction = await BeginWithOrderAsync(order, cancellationToken);
        if (alsoInTransaction is not null)
        {
            await alsoInTransaction(order, cancellationToken);
        }

        // Before any stock row: every order with this code waits on the discount's row in the same place, and a code used up costs no reservation.
        if (quote.Discount is { } discount)
        {
            await DiscountUses.CountAsync(db, discount, order.Id, order.UserId, now, cancellationToken);
        }

        db.Invalidates(CacheKeys.Tags.Products(wanted.Select(w => w.Variant.ProductId).Distinct()));
        var left = await ReserveAsync(wanted, cancellationToken);
        for (var i = 0; i < wanted.Count; i++)
        {
            var (variant, productName, _, quantity) = wanted[i];
            if (left[i] is not { } row)
            {
                throw InsufficientStock(variant, productName, quantity);
            }

            await LowStock.PublishIfCrossedAsync(outbox, productName, variant, row, quantity, now);
        }

        var response = order.ToResponse();
        if (idempotencyTicket is { } ticket)
        {
            await idempotency.CompleteAsync(ticket, 201, response, order.Id, cancellationToken);
        }

        // The event commits with the order (the outbox), or neither exists.
        await outbox.PublishAsync(order.StatusEvent(OrderStatus.PendingPayment, null, now));
        await outbox.SaveChangesAndFlushMessagesAsync(cancellationToken);
        ShopMetrics.OrdersPlaced.Add(1);
        return response;
    }

    /// <summary>
    /// Reserves every line in one round trip: one conditional UPDATE per line, in variant id order
    /// (concurrent orders lock stock rows in the same order: no deadlock), sent as one command of
    /// several statements (Npgsql sends them as one batch; SQLite runs them in turn). Each reserves if
    /// enough is available and returns what is left, for the low-stock check; a line refused returns
    /// no row: null at its place, and the caller rolls the whole order back.
    /// </summary>
    private async Task<StockRow?[]> ReserveAsync(List<WantedLine> wanted, CancellationToken cancellationToken)
    {
        var connection = db.Database.GetDbConnection();
        await using var command = connection.CreateCommand();
        command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        // Bound as EF Core binds them (a Guid is TEXT on SQLite, uuid on PostgreSQL).
        var mappings = db.GetService<IRelationalTypeMappingSource>();
        var (quantityType, idType) = (mappings.FindMapping(typeof(int))!, mappings.FindMapping(typeof(Guid))!);
        var sql = new StringBuilder();
        for (var i = 0; i < wanted.Count; i++)
        {
            sql.Append(CultureInfo.InvariantCulture, $"""
                UPDATE inventory SET reserved = reserved + @q{i} WHERE variant_id = @v{i} AND on_hand - reserved >= @q{i}
                RETURNING on_hand, reserved, low_stock_threshold;

                """);
            command.Parameters.Add(quantityType.CreateParameter(command, $"q{i}", wanted[i].Quantity));
            command.Parameters.Add(idType.CreateParameter(command, $"v{i}", wanted[i].Variant.Id));
        }

        command.CommandText = sql.ToString();
        var left = new StockRow?[wanted.Count];
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        for (var i = 0; i < wanted.Count; i++)
        {
            if (i > 0 && !await reader.NextResultAsync(cancellationToken))
            {
                throw new InvalidOperationException($"The reservation of {wanted.Count} lines answered {i} results.");
            }

            if (await reader.ReadAsync(cancellationToken))
            {
                left[i] = new StockRow(reader.GetInt32(0), reader.GetInt32(1), reader.GetInt32(2));
            }
        }

        return left;
    }

    /// <summary>A variant wanted, with its product's name: one per request line, then one per variant.</summary>
    private sealed record WantedLine(ProductVariant Variant, string ProductName, Guid? CategoryId, int Quantity);

    /// <summary>An inline address, or one of the user's saved addresses, copied.</summary>
    public async Task<ShippingAddress> ResolveAddressAsync(Guid userId, AddressRequest? inline, Guid? savedId, CancellationToken cancellationToken)
    {
        if (inline is not null)
        {
            return inline.ToShippingAddress();
        }

        // Someone else's address and no address at all get the same answer: 404, as for any other
        // customer's resource, without revealing that it exists.
        var saved = await db.Addresses.AsNoTracking()
            .SingleOrDefaultAsync(a => a.Id == savedId && a.UserId == userId, cancellationToken);
        return saved?.ToShippingAddress() ?? throw new NotFoundException("You have no saved address with this id (shippingAddressId).");
    }

    /// <summary>
    /// Each line's variant, with its product's name, in one query: a line names a variant, or a
    /// product with exactly one. Anything that cannot be sold is a 400 naming the line.
    /// </summary>
    private async Task<List<WantedLine>> ResolveLinesAsync(IReadOnlyList<OrderItemRequest> items, CancellationToken cancellationToken)
    {
        var variantIds = items.Where(i => i.VariantId is not null).Select(i => i.VariantId!.Value).Distinct().ToList();
        var productIds = items.Where(i => i.VariantId is null).Select(i => i.ProductId!.Value).Distinct().ToList();
        var rows = new List<VariantRow>();
        await foreach (var row in VariantsOf.GetOrAdd(db.Model, CompileVariantsOf)(db, variantIds, productIds).WithCancellation(cancellationToken))
        {
            rows.Add(row);
        }

        var errors = new Dictionary<string, string[]>();
        var lines = new List<WantedLine>();
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            if (item.VariantId is { } variantId)
            {
                var row = rows.Find(r => r.Variant.Id == variantId);
                if (row is not { Variant.IsActive: true, ProductActive: true } || (item.ProductId is { } named && named != row.Variant.ProductId))
                {
                    errors[$"items[{i}].variantId"] = [$"No variant with id {variantId} is for sale{(item.ProductId is null ? "" : " as part of this product")}."];
                    continue;
                }

                lines.Add(new WantedLine(row.Variant, row.ProductName, row.CategoryId, item.Quantity));
                continue;
            }

            var productId = item.ProductId!.Value;
            var variants = rows.Where(r => r.Variant.ProductId == productId).ToList();
            if (variants is [_, _, ..])
            {
                errors[$"items[{i}].productId"] = [$"Product {productId} has several variants: name the one you want (variantId)."];
            }
            else if (variants is not [{ Variant.IsActive: true, ProductActive: true } only])
            {
                errors[$"items[{i}].productId"] = [$"No product with id {productId} is for sale."];
            }
            else
            {
                lines.Add(new WantedLine(only.Variant, only.ProductName, only.CategoryId, item.Quantity));
            }
        }

        return errors.Count > 0
            ? throw new RequestValidationException(errors, "Some order lines cannot be ordered.")
            : lines;
    }

    private sealed record VariantRow(ProductVariant Variant, string ProductName, bool ProductActive, Guid? CategoryId);

    // Compiled once per model, as ProductCatalog's finds are: EF Core otherwise walks and hashes the
    // expression tree on every checkout to find its cached plan.
    private static readonly ConcurrentDictionary<IModel, Func<ShopDbContext, List<Guid>, List<Guid>, IAsyncEnumerable<VariantRow>>> VariantsOf = new();

    private static Func<ShopDbContext, List<Guid>, List<Guid>, IAsyncEnumerable<VariantRow>> CompileVariantsOf(IModel _) =>
        EF.CompileAsyncQuery((ShopDbContext db, List<Guid> variantIds, List<Guid> productIds) => db.Variants.AsNoTracking()
            .Where(v => variantIds.Contains(v.Id) || productIds.Contains(v.ProductId))
            .Join(db.Products, v => v.ProductId, p => p.Id, (v, p) => new VariantRow(v, p.Name, p.IsActive, p.CategoryId)));

    private static void EnsureOrderable(List<WantedLine> wanted)
    {
        var errors = new Dictionary<string, string[]>();
        foreach (var line in wanted.Where(w => w.Quantity > OrderLimits.MaxQuantity))
        {
            errors["items"] = [$"{line.ProductName} ({line.Variant.Sku}) is ordered {line.Quantity} times in all; at most {OrderLimits.MaxQuantity} per order."];
        }

        if (errors.Count == 0 && wanted.Select(w => w.Variant.Currency).Distinct().Count() > 1)
        {
            errors["items"] = ["All products of one order must be priced in the same currency."];
        }

        if (errors.Count > 0)
        {
            throw new RequestValidationException(errors, "Some order lines cannot be ordered.");
        }
    }

    private static ConflictException InsufficientStock(ProductVariant variant, string productName, int quantity)
    {
        var conflict = new ConflictException(
            $"Not enough stock of '{productName}' (sku {variant.Sku}, product {variant.ProductId}) for {quantity}. Nothing was reserved.", "insufficient-stock");
        conflict.Extensions["productId"] = variant.ProductId;
        conflict.Extensions["variantId"] = variant.Id;
        conflict.Extensions["sku"] = variant.Sku;
        return conflict;
    }

    /// <summary>
    /// Begins the order's transaction with its rows (order, lines, history: one batch, and Npgsql
    /// sends the BEGIN with it). Without EF Core's automatic savepoint (two more round trips per
    /// order) a failed insert aborts the transaction, so a clash of the random order number (40
    /// bits) rolls back what is still only this insert and draws again.
    /// </summary>
    private async Task<IDbContextTransaction> BeginWithOrderAsync(Order order, CancellationToken cancellationToken)
    {
        db.Database.AutoSavepointsEnabled = false;
        db.Orders.Add(order);
        for (var attempt = 1; ; attempt++)
        {
            var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                return transaction;
            }
            catch (DbUpdateException e) when (e.IsUniqueViolation() && attempt < 3)
            {
                await transaction.DisposeAsync(); // rolls back
                order.Number = OrderNumbers.New();
            }
            catch
            {
                await transaction.DisposeAsync();
                throw;
            }
        }
    }

    public async Task<OrderResponse> GetAsync(Guid orderId, Guid userId, bool isAdmin, CancellationToken cancellationToken) =>
        (await FindVisibleAsync(orderId, userId, isAdmin, tracked: false, cancellationToken)).ToResponse();

    public async Task<TrackingResponse> TrackAsync(Guid orderId, Guid userId, bool isAdmin, CancellationToken cancellationToken) =>
        (await FindVisibleAsync(orderId, userId, isAdmin, tracked: false, cancellationToken)).ToTracking();

    public async Task<PagedResult<OrderResponse>> ListAsync(OrderListQuery query, Guid userId, bool isAdmin, CancellationToken cancellationToken)
    {
        var orders = db.Orders.AsNoTracking();
        // A customer sees only their own orders, whatever userId they send.
        var owner = isAdmin ? query.UserId : userId;
        if (owner is { } ownerId)
        {
            orders = orders.Where(o => o.UserId == ownerId);
        }

        if (query.Status is not null)
        {
            var status = OrderStatuses.Parse(query.Status);
            orders = orders.Where(o => o.Status == status);
        }

        return await orders.PageAsync(
            q => q.OrderByDescending(o => o.CreatedAt).ThenByDescending(o => o.Id).Include(o => o.Lines).Include(o => o.History).AsSplitQuery(),
            query.Paging, o => o.ToResponse(), cancellationToken);
    }

    /// <summary>
    /// The owner (or an admin) cancels an order that is pending payment or paid; its stock goes
    /// back. Giving back the money of a paid order is the payments feature's part: it reacts to
    /// the paid → cancelled move made here (the seam is <see cref="MoveAsync"/>).
    /// </summary>
    public async Task<OrderResponse> CancelAsync(Guid orderId, Guid userId, bool isAdmin, string? reason, CancellationToken cancellationToken)
    {
        var order = await FindVisibleAsync(orderId, userId, isAdmin, tracked: true, cancellationToken);
        if (!OrderStateMachine.IsCancellable(order.Status))
        {
            throw new ConflictException($"An order that is {order.Status.Name()} can no longer be cancelled.", "illegal-transition");
        }

        var actor = isAdmin && order.UserId != userId ? Actor.Admin(userId) : Actor.Customer(userId);
        return (await MoveAsync(order, OrderStatus.Cancelled, actor, reason ?? "Cancelled.", cancellationToken)).ToResponse();
    }

    /// <summary>The scheduler cancels an order whose payment did not arrive in time.</summary>
    /// <returns>False when the order was paid, cancelled or given a payment since it was found due.</returns>
    public async Task<bool> ExpireAsync(Guid orderId, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var order = await FindVisibleAsync(orderId, Guid.Empty, isAdmin: true, tracked: true, cancellationToken);
        if (order.Status != OrderStatus.PendingPayment
            || await db.Payments.AnyAsync(p => p.OrderId == orderId && p.Status == Payments.PaymentStatuses.Pending, cancellationToken))
        {
            return false;
        }

        await MoveAsync(order, OrderStatus.Cancelled, Actor.System, $"Payment not received within {timeout}.", cancellationToken);
        return true;
    }

    /// <summary>An admin moves an order along the state machine (shipping needs carrier and tracking number).</summary>
    public async Task<OrderResponse> ChangeStatusAsync(Guid orderId, Guid adminId, ChangeOrderStatusRequest request, CancellationToken cancellationToken)
    {
        var order = await FindVisibleAsync(orderId, adminId, isAdmin: true, tracked: true, cancellationToken);
        var target = OrderStatuses.Parse(request.Status);
        if (target == OrderStatus.Shipped)
        {
            order.Carrier = request.Carrier!.Trim();
            order.TrackingNumber = request.TrackingNumber!.Trim();
        }

        return (await MoveAsync(order, target, Actor.Admin(adminId), request.Note, cancellationToken)).ToResponse();
    }

    /// <summary>
    /// The one way an order changes status: checked against the state machine, recorded in the
    /// history, and applied to stock in the same transaction. The order's version makes two
    /// concurrent moves from the same state commit at most once.
    /// </summary>
    public async Task<Order> MoveAsync(Order order, OrderStatus target, Actor actor, string? note, CancellationToken cancellationToken)
    {
        StockEffect effect;
        try
        {
            effect = OrderStateMachine.EffectOf(order.Status, target);
        }
        catch (IllegalTransitionException e)
        {
            throw new ConflictException(e.Message, "illegal-transition");
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var previous = order.Status;
        order.Status = target;
        order.UpdatedAt = now;
        // Stryker disable once Update : the version is a concurrency token: any change of it serves, and nothing compares versions by size
        order.Version++;
        // Tracked with its OrderId set, EF Core adds it to order.History itself (adding it by hand would list it twice).
        db.Add(new OrderStatusChange { OrderId = order.Id, Status = target, At = now, Actor = actor.Kind, ActorUserId = actor.UserId, Note = note });

        // Inside a caller's transaction (a payment being recorded) this move commits with it.
        await using var transaction = await db.Database.BeginOrJoinTransactionAsync(cancellationToken);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw new ConflictException("The order was changed at the same moment by someone else. Fetch it again.", "concurrent-change");
        }

        await ApplyStockEffectAsync(order, effect, cancellationToken);
        if (target == OrderStatus.Cancelled && order.DiscountId is { } discountId)
        {
            await DiscountUses.ReleaseAsync(db, discountId, order.Id, cancellationToken);
        }

        await outbox.PublishAsync(order.StatusEvent(previous, note, now));
        if (transaction.IsOwner)
        {
            await outbox.SaveChangesAndFlushMessagesAsync(cancellationToken);
        }

        return order;
    }

    private async Task ApplyStockEffectAsync(Order order, StockEffect effect, CancellationToken cancellationToken)
    {
        if (effect == StockEffect.None)
        {
            return;
        }

        db.Invalidates(CacheKeys.Tags.Products(order.Lines.Select(l => l.ProductId)));

        foreach (var line in order.Lines.OrderBy(l => l.VariantId))
        {
            var (variantId, quantity) = (line.VariantId, line.Quantity);
            var rows = db.Inventory.Where(i => i.VariantId == variantId);
            var changed = effect switch
            {
                StockEffect.Release => await rows.Where(i => i.Reserved >= quantity)
                    .ExecuteUpdateAsync(s => s.SetProperty(i => i.Reserved, i => i.Reserved - quantity), cancellationToken),
                StockEffect.Sell => await rows.Where(i => i.Reserved >= quantity && i.OnHand >= quantity)
                    .ExecuteUpdateAsync(s => s.SetProperty(i => i.OnHand, i => i.OnHand - quantity).SetProperty(i => i.Reserved, i => i.Reserved - quantity), cancellationToken),
                _ => await rows.ExecuteUpdateAsync(s => s.SetProperty(i => i.OnHand, i => i.OnHand + quantity), cancellationToken),
            };
            if (changed != 1)
            {
                // Every reservation was made by this service; a missing one is a bug, not a client error.
                throw new InvalidOperationException($"Stock of variant {variantId} does not hold the reservation of order {order.Number} ({effect}).");
            }
        }
    }

    /// <summary>An order with its lines and history, tracked, ready for <see cref="MoveAsync"/>.</summary>
    public Task<Order> LoadAsync(Guid orderId, CancellationToken cancellationToken) =>
        WithDetails().SingleAsync(o => o.Id == orderId, cancellationToken);

    private IQueryable<Order> WithDetails() => db.Orders.Include(o => o.Lines).Include(o => o.History).AsSplitQuery();

    private async Task<Order> FindVisibleAsync(Guid orderId, Guid userId, bool isAdmin, bool tracked, CancellationToken cancellationToken)
    {
        var orders = WithDetails();
        var order = await (tracked ? orders : orders.AsNoTracking()).SingleOrDefaultAsync(o => o.Id == orderId, cancellationToken);
        // Another customer's order does not exist, as far as this customer can tell.
        return order is not null && (isAdmin || order.UserId == userId)
            ? order
            : throw new NotFoundException("Order not found.");
    }
}
