using Shop.Core.Orders;

namespace Shop.UnitTests;

public class OrderStateMachineTests
{
    private static readonly (OrderStatus From, OrderStatus To, StockEffect Effect)[] Legal =
    [
        (OrderStatus.PendingPayment, OrderStatus.Paid, StockEffect.Sell),
        (OrderStatus.PendingPayment, OrderStatus.Cancelled, StockEffect.Release),
        (OrderStatus.Paid, OrderStatus.Shipped, StockEffect.None),
        (OrderStatus.Paid, OrderStatus.Cancelled, StockEffect.Restock),
        (OrderStatus.Paid, OrderStatus.Refunded, StockEffect.Restock),
        (OrderStatus.Shipped, OrderStatus.Delivered, StockEffect.None),
        (OrderStatus.Shipped, OrderStatus.Refunded, StockEffect.None),
        (OrderStatus.Delivered, OrderStatus.Refunded, StockEffect.None),
    ];

    [Fact]
    public void Exactly_the_documented_moves_are_legal_with_their_stock_effects()
    {
        foreach (var from in Enum.GetValues<OrderStatus>())
        {
            foreach (var to in Enum.GetValues<OrderStatus>())
            {
                var expected = Legal.Where(l => l.From == from && l.To == to).Select(l => (StockEffect?)l.Effect).SingleOrDefault();
                Assert.Equal(expected is not null, OrderStateMachine.CanMove(from, to));
                if (expected is { } effect)
                {
                    Assert.Equal(effect, OrderStateMachine.EffectOf(from, to));
                }
                else
                {
                    var illegal = Assert.Throws<IllegalTransitionException>(() => OrderStateMachine.EffectOf(from, to));
                    Assert.Contains(from.Name(), illegal.Message, StringComparison.Ordinal);
                }
            }
        }
    }

    [Theory]
    [InlineData(OrderStatus.PendingPayment, true)]
    [InlineData(OrderStatus.Paid, true)]
    [InlineData(OrderStatus.Shipped, false)]
    [InlineData(OrderStatus.Delivered, false)]
    [InlineData(OrderStatus.Cancelled, false)]
    [InlineData(OrderStatus.Refunded, false)]
    public void Only_unshipped_orders_can_be_cancelled(OrderStatus status, bool cancellable) =>
        Assert.Equal(cancellable, OrderStateMachine.IsCancellable(status));

    [Fact]
    public void Final_states_lead_nowhere()
    {
        Assert.Empty(OrderStateMachine.NextStates(OrderStatus.Cancelled));
        Assert.Empty(OrderStateMachine.NextStates(OrderStatus.Refunded));
    }

    [Fact]
    public void Status_names_round_trip_in_snake_case()
    {
        Assert.Equal("pending_payment", OrderStatus.PendingPayment.Name());
        foreach (var status in Enum.GetValues<OrderStatus>())
        {
            Assert.True(OrderStatuses.TryParse(status.Name(), out var parsed));
            Assert.Equal(status, parsed);
        }

        Assert.False(OrderStatuses.TryParse("PendingPayment", out _));
    }

    [Fact]
    public void Order_numbers_are_short_random_and_unambiguous()
    {
        var numbers = Enumerable.Range(0, 10_000).Select(_ => OrderNumbers.New()).ToList();
        Assert.All(numbers, n => Assert.Matches("^SH-[0-9A-HJKMNP-TV-Z]{8}$", n));
        Assert.Equal(numbers.Count, numbers.Distinct().Count());
    }
}
