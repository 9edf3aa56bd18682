using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Shop.Core.Common;
using Shop.Core.Data;
using Shop.Core.Events;
using Shop.Core.Messaging;
using Shop.Core.Orders;
using Wolverine.EntityFrameworkCore;

namespace Shop.Core.Payments;

/// <summary>
/// The background side of payments: charge, refund, and record outcomes from the worker or from
/// webhooks. Every step is idempotent: a payment's outcome is decided by one conditional UPDATE
/// from "pending", so a second delivery, a retry or a webhook arriving after the worker changes nothing.
/// </summary>
public sealed class PaymentProcessor(ShopDbContext db, IDbContextOutbox<ShopDbContext> outbox, IPaymentProvider provider, OrderService orders, TimeProvider clock)
{
    /// <summary>The failure reason of a payment whose order was no longer awaiting payment when its turn came.</summary>
    public const string OrderNotPayable = "order_not_payable";

    public async Task ChargeAsync(Guid paymentId, CancellationToken cancellationToken)
    {
        // The payment and its order's status in one read.
        var found = await db.Payments.AsNoTracking().Where(p => p.Id == paymentId)
            .Join(db.Orders, p => p.OrderId, o => o.Id, (p, o) => new { Payment = p, OrderStatus = o.Status })
            .SingleOrDefaultAsync(cancellationToken);
        if (found is not { Payment.Status: PaymentStatuses.Pending })
        {
            return; // decided already: this is a redelivery or a re-drive
        }

        // An order cancelled while its payment waited is not charged at all. Once an attempt has
        // started the card may have been charged, so the provider is asked again (the payment id
        // makes that idempotent) and a charge that went through is refunded when it is recorded.
        var payment = found.Payment;
        if (found.OrderStatus != OrderStatus.PendingPayment && payment.Attempts == 0)
        {
            await RecordFailedAsync(paymentId, OrderNotPayable, cancellationToken);
            return;
        }

        var now = clock.GetUtcNow().UtcDateTime;
        await db.Payments.Where(p => p.Id == paymentId)
            .ExecuteUpdateAsync(s => s.SetProperty(p => p.Attempts, p => p.Attempts + 1).SetProperty(p => p.UpdatedAt, now), cancellationToken);

        // No transaction is held while the card network is called; the payment id is its idempotency key.
        ChargeResult result;
        using (var span = Telemetry.Source.StartActivity("payment.charge", ActivityKind.Client))
        {
            span?.SetTag("payment.id", payment.Id).SetTag("payment.attempt", payment.Attempts + 1);
            result = await provider.ChargeAsync(new ChargeRequest(payment.Id.ToString("N"), payment.AmountMinor, payment.Currency, payment.PaymentToken), cancellationToken);
            span?.SetTag("payment.outcome", result.Succeeded ? "succeeded" : result.FailureReason ?? "declined");
        }

        if (result.Succeeded)
        {
            await RecordSucceededAsync(paymentId, result.Reference!, cancellationToken);
        }
        else
        {
            await RecordFailedAsync(paymentId, result.FailureReason ?? "declined", cancellationToken);
        }
    }

    /// <summary>Marks a pending payment succeeded and its order paid, or refunds it if the order was cancelled meanwhile.</summary>
    public async Task<bool> RecordSucceededAsync(Guid paymentId, string reference, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await using var transaction = await db.Database.BeginOrJoinTransactionAsync(cancellationToken);
        var decided = await db.Payments.Where(p => p.Id == paymentId && p.Status == PaymentStatuses.Pending).ExecuteUpdateAsync(s => s
            .SetProperty(p => p.Status, PaymentStatuses.Succeeded)
            .SetProperty(p => p.ProviderReference, reference)
            .SetProperty(p => p.FailureReason, (string?)null)
            .SetProperty(p => p.UpdatedAt, now)
            .SetProperty(p => p.Version, p => p.Version + 1), cancellationToken);
        if (decided == 0)
        {
            return false;
        }

        var payment = await db.Payments.AsNoTracking().SingleAsync(p => p.Id == paymentId, cancellationToken);
        var order = await orders.LoadAsync(payment.OrderId, cancellationToken);
        if (order.Status == OrderStatus.PendingPayment)
        {
            await orders.MoveAsync(order, OrderStatus.Paid, Actor.System, $"Paid ({payment.Provider} {reference}).", cancellationToken);
        }
        else
        {
            // The order was cancelled (or expired) while the card was being charged: give the money back.
            var refund = await PaymentService.RequestRefundAsync(db, paymentId, null, $"Order was {order.Status.Name()} when the payment completed.", null, now, cancellationToken);
            await outbox.PublishAsync(new ProcessRefund(refund.Id));
        }

        await outbox.PublishAsync(new PaymentSucceeded(Guid.CreateVersion7(), now, payment.ToEventData()));
        if (transaction.IsOwner)
        {
            await outbox.SaveChangesAndFlushMessagesAsync(cancellationToken);
        }

        ShopMetrics.Payments.Add(1, new KeyValuePair<string, object?>("outcome", "succeeded"));
        return true;
    }

    public async Task<bool> RecordFailedAsync(Guid paymentId, string reason, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await using var transaction = await db.Database.BeginOrJoinTransactionAsync(cancellationToken);
        var decided = await db.Payments.Where(p => p.Id == paymentId && p.Status == PaymentStatuses.Pending).ExecuteUpdateAsync(s => s
            .SetProperty(p => p.Status, PaymentStatuses.Failed)
            .SetProperty(p => p.FailureReason, reason)
            .SetProperty(p => p.UpdatedAt, now)
            .SetProperty(p => p.Version, p => p.Version + 1), cancellationToken);
        if (decided == 0)
        {
            return false;
        }

        var payment = await db.Payments.AsNoTracking().SingleAsync(p => p.Id == paymentId, cancellationToken);
        await outbox.PublishAsync(new PaymentFailed(Guid.CreateVersion7(), now, payment.ToEventData()));
        if (transaction.IsOwner)
        {
            await outbox.SaveChangesAndFlushMessagesAsync(cancellationToken);
        }

        ShopMetrics.Payments.Add(1, new KeyValuePair<string, object?>("outcome", "failed"));
        return true;
    }

    public async Task RefundAsync(Guid refundId, CancellationToken cancellationToken)
    {
        var refund = await db.PaymentRefunds.AsNoTracking().SingleOrDefaultAsync(r => r.Id == refundId, cancellationToken);
        if (refund is not { Status: RefundStatuses.Pending })
        {
            return;
        }

        var payment = await db.Payments.AsNoTracking().SingleAsync(p => p.Id == refund.PaymentId, cancellationToken);
        RefundResult result;
        using (var span = Telemetry.Source.StartActivity("payment.refund", ActivityKind.Client))
        {
            span?.SetTag("payment.id", payment.Id).SetTag("refund.id", refund.Id);
            result = await provider.RefundAsync(
                new RefundRequest(
                    refund.Id.ToString("N"),
                    // Stryker disable once String : the fallback is never used: a succeeded payment (the only kind refunded) always has its provider's reference
                    payment.ProviderReference ?? "",
                    refund.AmountMinor,
                    payment.Currency),
                cancellationToken);
            span?.SetTag("refund.outcome", result.Succeeded ? "succeeded" : "failed");
        }

        var now = clock.GetUtcNow().UtcDateTime;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var decided = await db.PaymentRefunds.Where(r => r.Id == refundId && r.Status == RefundStatuses.Pending).ExecuteUpdateAsync(s => s
            .SetProperty(r => r.Status, result.Succeeded ? RefundStatuses.Succeeded : RefundStatuses.Failed)
            .SetProperty(r => r.ProviderReference, result.Reference)
            .SetProperty(r => r.FailureReason, result.FailureReason)
            .SetProperty(r => r.UpdatedAt, now), cancellationToken);
        if (decided == 0 || !result.Succeeded)
        {
            await transaction.CommitAsync(cancellationToken);
            return;
        }

        var amount = refund.AmountMinor;
        await db.Payments.Where(p => p.Id == payment.Id).ExecuteUpdateAsync(s => s
            .SetProperty(p => p.RefundedAmountMinor, p => p.RefundedAmountMinor + amount)
            .SetProperty(p => p.Status, p => p.RefundedAmountMinor + amount >= p.AmountMinor ? PaymentStatuses.Refunded : p.Status)
            .SetProperty(p => p.UpdatedAt, now)
            .SetProperty(p => p.Version, p => p.Version + 1), cancellationToken);
        var refunded = await db.Payments.AsNoTracking().SingleAsync(p => p.Id == payment.Id, cancellationToken);
        if (refunded.Status == PaymentStatuses.Refunded)
        {
            var order = await orders.LoadAsync(payment.OrderId, cancellationToken);
            if (OrderStateMachine.CanMove(order.Status, OrderStatus.Refunded))
            {
                await orders.MoveAsync(order, OrderStatus.Refunded, Actor.System, $"Refunded {Catalog.Money.ToMajor(refunded.AmountMinor)} {refunded.Currency}.", cancellationToken);
            }
        }

        await outbox.PublishAsync(new PaymentRefunded(Guid.CreateVersion7(), now, refunded.ToEventData(), Catalog.Money.ToMajor(amount)));
        await outbox.SaveChangesAndFlushMessagesAsync(cancellationToken);
        ShopMetrics.Payments.Add(1, new KeyValuePair<string, object?>("outcome", "refunded"));
    }

    /// <summary>
    /// A paid order was cancelled, or an admin marked it refunded: refund what is left of its
    /// payment (once, however often the event arrives; nothing when it is refunded already).
    /// </summary>
    public async Task RefundRestOfOrderAsync(Guid orderId, string reason, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;
        var paymentId = await db.Payments.Where(p => p.OrderId == orderId && p.Status == PaymentStatuses.Succeeded).Select(p => (Guid?)p.Id).SingleOrDefaultAsync(cancellationToken);
        if (paymentId is null)
        {
            return;
        }

        try
        {
            var refund = await PaymentService.RequestRefundAsync(db, paymentId.Value, null, reason, null, now, cancellationToken);
            await outbox.PublishAsync(new ProcessRefund(refund.Id));
            await outbox.SaveChangesAndFlushMessagesAsync(cancellationToken);
        }
        catch (ConflictException)
        {
            // Nothing left to refund: an earlier delivery of this event already asked for it.
        }
    }

    /// <summary>
    /// Applies a verified provider event once: its id is recorded in the same transaction as its
    /// effect, so a replay finds the id and changes nothing. Returns false for a replay.
    /// </summary>
    public async Task<bool> ApplyWebhookAsync(string providerName, WebhookEvent webhook, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        db.ProcessedWebhookEvents.Add(new ProcessedWebhookEvent { Provider = providerName, EventId = webhook.Id, Type = webhook.Type, ReceivedAt = now });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            return false;
        }

        var known = await db.Payments.AnyAsync(p => p.Id == webhook.Data.PaymentId && p.Provider == providerName, cancellationToken);
        if (known)
        {
            switch (webhook.Type)
            {
                case WebhookEventTypes.ChargeSucceeded:
                    await RecordSucceededAsync(webhook.Data.PaymentId, webhook.Data.Reference ?? webhook.Id, cancellationToken);
                    break;
                case WebhookEventTypes.ChargeFailed:
                    await RecordFailedAsync(webhook.Data.PaymentId, webhook.Data.FailureReason ?? "declined", cancellationToken);
                    break;
            }
        }

        // Event types we do not act on, and payments we do not know, are acknowledged and recorded.
        await outbox.SaveChangesAndFlushMessagesAsync(cancellationToken);
        return true;
    }
}

/// <summary>Wolverine handlers: thin entry points into <see cref="PaymentProcessor"/>.</summary>
public static class ProcessPaymentHandler
{
    public static Task Handle(ProcessPayment command, PaymentProcessor processor, CancellationToken cancellationToken) =>
        processor.ChargeAsync(command.PaymentId, cancellationToken);
}

public static class ProcessRefundHandler
{
    public static Task Handle(ProcessRefund command, PaymentProcessor processor, CancellationToken cancellationToken) =>
        processor.RefundAsync(command.RefundId, cancellationToken);
}

public static class OrderCancelledRefundHandler
{
    public static Task Handle(OrderCancelled cancelled, PaymentProcessor processor, CancellationToken cancellationToken) =>
        cancelled.PreviousStatus == OrderStatus.Paid.Name()
            ? processor.RefundRestOfOrderAsync(cancelled.Data.OrderId, "Order cancelled.", cancellationToken)
            : Task.CompletedTask;
}

/// <summary>
/// An order that became refunded has its money returned: when an admin marks it refunded, the
/// rest of its payment is refunded; when a full refund made it refunded, nothing is left to do.
/// </summary>
public static class OrderRefundedRefundHandler
{
    public static Task Handle(OrderRefunded refunded, PaymentProcessor processor, CancellationToken cancellationToken) =>
        processor.RefundRestOfOrderAsync(refunded.Data.OrderId, "Order marked refunded.", cancellationToken);
}
