using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Shop.Core.Catalog;
using Shop.Core.Common;
using Shop.Core.Data;
using Shop.Core.Orders;
using Wolverine.EntityFrameworkCore;

namespace Shop.Core.Payments;

/// <summary>Messages that start background payment work; handlers are idempotent, so a message may arrive twice.</summary>
public sealed record ProcessPayment(Guid PaymentId);

public sealed record ProcessRefund(Guid RefundId);

/// <summary>
/// What clients ask of payments: pay an order (accepted at once, charged in the background),
/// read payments, refund them, and the provider's signed webhooks.
/// </summary>
public sealed class PaymentService(
    ShopDbContext db, IDbContextOutbox<ShopDbContext> outbox, IdempotencyService idempotency, IOptions<PaymentOptions> options, TimeProvider clock)
{
    public const string CreateOperation = "POST /payments";
    public const string RefundOperation = "POST /payments/{id}/refunds";

    public async Task<PaymentResponse> CreateAsync(Guid userId, CreatePaymentRequest request, IdempotencyTicket ticket, CancellationToken cancellationToken)
    {
        var order = await db.Orders.AsNoTracking().SingleOrDefaultAsync(o => o.Id == request.OrderId && o.UserId == userId, cancellationToken)
            ?? throw new NotFoundException("Order not found.");
        if (order.Status != OrderStatus.PendingPayment)
        {
            throw new ConflictException($"The order is {order.Status.Name()}; only an order pending payment can be paid.", "order-not-payable");
        }

        if (await db.Payments.AnyAsync(p => p.OrderId == order.Id && (p.Status == PaymentStatuses.Pending || p.Status == PaymentStatuses.Succeeded), cancellationToken))
        {
            throw AlreadyPaying();
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var payment = new Payment
        {
            OrderId = order.Id, UserId = userId, AmountMinor = order.TotalMinor, Currency = order.Currency,
            Provider = options.Value.Provider, PaymentToken = request.PaymentToken.Trim(), CreatedAt = now, UpdatedAt = now,
        };

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        db.Payments.Add(payment);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            throw AlreadyPaying(); // a concurrent request for the same order won
        }

        var response = payment.ToResponse();
        await idempotency.CompleteAsync(ticket, 202, response, payment.Id, cancellationToken);
        // The charge is requested in the same transaction that records the payment: neither is lost without the other.
        await outbox.PublishAsync(new ProcessPayment(payment.Id));
        await outbox.SaveChangesAndFlushMessagesAsync(cancellationToken);
        return response;
    }

    private static ConflictException AlreadyPaying() =>
        new("The order already has a payment that is pending or succeeded.", "payment-in-progress");

    public async Task<PaymentResponse> GetAsync(Guid paymentId, Guid userId, bool isAdmin, CancellationToken cancellationToken)
    {
        var payment = await db.Payments.AsNoTracking().SingleOrDefaultAsync(p => p.Id == paymentId, cancellationToken);
        return payment is not null && (isAdmin || payment.UserId == userId)
            ? payment.ToResponse()
            : throw new NotFoundException("Payment not found.");
    }

    /// <summary>Oldest first, in the list envelope every list uses.</summary>
    public async Task<PagedResult<PaymentResponse>> ListForOrderAsync(Guid orderId, Guid userId, bool isAdmin, PageQuery paging, CancellationToken cancellationToken)
    {
        if (!await db.Orders.AnyAsync(o => o.Id == orderId && (isAdmin || o.UserId == userId), cancellationToken))
        {
            throw new NotFoundException("Order not found.");
        }

        return await db.Payments.AsNoTracking().Where(p => p.OrderId == orderId)
            .PageAsync(q => q.OrderBy(p => p.CreatedAt).ThenBy(p => p.Id), paging, p => p.ToResponse(), cancellationToken);
    }

    /// <summary>
    /// An admin refunds a succeeded payment, fully by default. The refund is recorded at once and
    /// sent to the provider in the background; amounts already refunded or being refunded count.
    /// </summary>
    public async Task<RefundResponse> RefundAsync(Guid paymentId, Guid adminId, RefundPaymentRequest request, IdempotencyTicket? idempotencyTicket, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var refund = await RequestRefundAsync(db, paymentId, request.Amount is { } amount ? Money.ToMinor(amount) : null, request.Reason, adminId,
            clock.GetUtcNow().UtcDateTime, cancellationToken);
        var response = refund.ToResponse();
        if (idempotencyTicket is { } ticket)
        {
            await idempotency.CompleteAsync(ticket, 202, response, paymentId, cancellationToken);
        }

        await outbox.PublishAsync(new ProcessRefund(refund.Id));
        await outbox.SaveChangesAndFlushMessagesAsync(cancellationToken);
        return response;
    }

    /// <summary>
    /// Records a pending refund of a succeeded payment, inside the caller's transaction; null amount
    /// means all that is left. The payment row is touched first, so concurrent refunds of one
    /// payment queue up behind it and each sees what the others committed.
    /// </summary>
    internal static async Task<PaymentRefund> RequestRefundAsync(
        ShopDbContext db, Guid paymentId, long? amountMinor, string? reason, Guid? requestedBy, DateTime now, CancellationToken cancellationToken)
    {
        if (await db.Payments.Where(p => p.Id == paymentId).ExecuteUpdateAsync(s => s.SetProperty(p => p.UpdatedAt, now), cancellationToken) == 0)
        {
            throw new NotFoundException("Payment not found.");
        }

        var payment = await db.Payments.AsNoTracking().SingleAsync(p => p.Id == paymentId, cancellationToken);
        if (payment.Status != PaymentStatuses.Succeeded)
        {
            throw new ConflictException($"Only a succeeded payment can be refunded; this one is {payment.Status}.", "payment-not-refundable");
        }

        var committed = payment.RefundedAmountMinor + await db.PaymentRefunds
            .Where(r => r.PaymentId == payment.Id && r.Status == RefundStatuses.Pending)
            .SumAsync(r => r.AmountMinor, cancellationToken);
        var left = payment.AmountMinor - committed;
        var amount = amountMinor ?? left;
        if (left <= 0 || amount > left)
        {
            throw new ConflictException(
                $"At most {Money.ToMajor(Math.Max(left, 0))} {payment.Currency} of this payment can still be refunded.", "refund-exceeds-payment");
        }

        var refund = new PaymentRefund { PaymentId = payment.Id, AmountMinor = amount, Reason = reason, RequestedBy = requestedBy, CreatedAt = now, UpdatedAt = now };
        db.PaymentRefunds.Add(refund);
        // Stryker disable once Statement : every caller saves the context (with its outbox messages) in the same transaction before committing, so this save only makes the insert earlier
        await db.SaveChangesAsync(cancellationToken);
        return refund;
    }
}
