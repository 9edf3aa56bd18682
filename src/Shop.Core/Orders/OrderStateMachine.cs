namespace Shop.Core.Orders;

/// <summary>What happens to stock when an order moves between two states.</summary>
public enum StockEffect
{
    /// <summary>Nothing to do.</summary>
    None,

    /// <summary>The reservation is given back: reserved drops.</summary>
    Release,

    /// <summary>The reservation becomes a sale: on hand and reserved both drop.</summary>
    Sell,

    /// <summary>Sold goods come back to the shelf: on hand rises.</summary>
    Restock,
}

/// <summary>
/// The order lifecycle, as one pure table that every status change goes through:
/// pending_payment → paid → shipped → delivered; pending_payment and paid → cancelled;
/// paid, shipped and delivered → refunded.
/// </summary>
public static class OrderStateMachine
{
    private static readonly Dictionary<(OrderStatus From, OrderStatus To), StockEffect> Moves = new()
    {
        [(OrderStatus.PendingPayment, OrderStatus.Paid)] = StockEffect.Sell,
        [(OrderStatus.PendingPayment, OrderStatus.Cancelled)] = StockEffect.Release,
        [(OrderStatus.Paid, OrderStatus.Shipped)] = StockEffect.None,
        [(OrderStatus.Paid, OrderStatus.Cancelled)] = StockEffect.Restock,
        [(OrderStatus.Paid, OrderStatus.Refunded)] = StockEffect.Restock,
        [(OrderStatus.Shipped, OrderStatus.Delivered)] = StockEffect.None,
        // Goods already with the customer are not back on the shelf: returns are a stock adjustment.
        [(OrderStatus.Shipped, OrderStatus.Refunded)] = StockEffect.None,
        [(OrderStatus.Delivered, OrderStatus.Refunded)] = StockEffect.None,
    };

    public static bool CanMove(OrderStatus from, OrderStatus to) => Moves.ContainsKey((from, to));

    /// <summary>The stock effect of a legal move; an illegal one throws.</summary>
    public static StockEffect EffectOf(OrderStatus from, OrderStatus to) =>
        Moves.TryGetValue((from, to), out var effect)
            ? effect
            : throw new IllegalTransitionException(from, to);

    /// <summary>States a customer may cancel from.</summary>
    public static bool IsCancellable(OrderStatus status) => CanMove(status, OrderStatus.Cancelled);

    public static IEnumerable<OrderStatus> NextStates(OrderStatus from) => Moves.Keys.Where(k => k.From == from).Select(k => k.To);
}

public sealed class IllegalTransitionException(OrderStatus from, OrderStatus to)
    : Exception($"An order cannot go from {from.Name()} to {to.Name()}.")
{
    public OrderStatus From { get; } = from;
    public OrderStatus To { get; } = to;
}
