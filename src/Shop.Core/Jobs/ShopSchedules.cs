using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Shop.Core.Data;
using Shop.Core.Orders;
using Shop.Core.Payments;
using Wolverine;

namespace Shop.Core.Jobs;

public sealed class OrdersOptions
{
    public const string Section = "Orders";

    /// <summary>Orders still unpaid this long after they were placed are cancelled and their stock released.</summary>
    public TimeSpan PaymentTimeout { get; set; } = TimeSpan.FromMinutes(30);
}

/// <summary>
/// Recurring jobs. Wolverine runs each schedule on one node of the cluster (a singular agent with
/// durable scheduled messages), so every occurrence runs once however many processes there are.
/// </summary>
public static class ShopSchedules
{
    public static void Register(WolverineOptions opts)
    {
        opts.Schedules.ScheduleRecurring<CancelUnpaidOrders>("* * * * *");
        opts.Schedules.ScheduleRecurring<RedriveStuckPayments>("* * * * *");
        opts.Schedules.ScheduleRecurring<PurgeExpiredRecords>("17 * * * *");
    }
}

public sealed class CancelUnpaidOrders;

public sealed class RedriveStuckPayments;

public sealed class PurgeExpiredRecords;

public static partial class CancelUnpaidOrdersHandler
{
    /// <summary>Cancels orders unpaid after Orders:PaymentTimeout, unless a payment for them is still being processed.</summary>
    public static async Task Handle(CancelUnpaidOrders _, ShopDbContext db, OrderService orders, IOptions<OrdersOptions> options,
        TimeProvider clock, ILogger<CancelUnpaidOrders> logger, CancellationToken cancellationToken)
    {
        var cutoff = clock.GetUtcNow().UtcDateTime - options.Value.PaymentTimeout;
        var due = await db.Orders.AsNoTracking()
            .Where(o => o.Status == OrderStatus.PendingPayment && o.CreatedAt < cutoff)
            .Where(o => !db.Payments.Any(p => p.OrderId == o.Id && p.Status == PaymentStatuses.Pending))
            .OrderBy(o => o.CreatedAt).Select(o => o.Id).Take(200)
            .ToListAsync(cancellationToken);
        foreach (var id in due)
        {
            try
            {
                await orders.ExpireAsync(id, options.Value.PaymentTimeout, cancellationToken);
            }
            catch (Common.ConflictException)
            {
                // Paid or cancelled at the same moment: nothing to expire.
            }
        }

        if (due.Count > 0)
        {
            LogExpired(logger, due.Count);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Cancelled {Count} orders that were not paid in time")]
    private static partial void LogExpired(ILogger logger, int count);
}

public static class RedriveStuckPaymentsHandler
{
    /// <summary>
    /// Longer than a payment's own retries take (about 25 s before it would be dead-lettered);
    /// charging is idempotent per payment, so re-driving one that is still being retried is harmless.
    /// </summary>
    public static readonly TimeSpan StuckAfter = TimeSpan.FromMinutes(1);

    /// <summary>Payments pending for a while (their message dead-lettered or lost with a node) are sent for processing again; processing is idempotent.</summary>
    public static async Task Handle(RedriveStuckPayments _, ShopDbContext db, IMessageBus bus, TimeProvider clock, CancellationToken cancellationToken)
    {
        var cutoff = clock.GetUtcNow().UtcDateTime - StuckAfter;
        var stuck = await db.Payments.AsNoTracking()
            .Where(p => p.Status == PaymentStatuses.Pending && p.UpdatedAt < cutoff)
            .OrderBy(p => p.UpdatedAt).Select(p => p.Id).Take(100)
            .ToListAsync(cancellationToken);
        foreach (var id in stuck)
        {
            await bus.PublishAsync(new ProcessPayment(id));
        }
    }
}

public static class PurgeExpiredRecordsHandler
{
    public static async Task Handle(PurgeExpiredRecords _, ShopDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await db.IdempotencyRecords.Where(r => r.ExpiresAt < now).ExecuteDeleteAsync(cancellationToken);
        // Revoked tokens are kept a day for reuse detection and support, expired ones go at once.
        var revokedCutoff = now.AddDays(-1);
        await db.RefreshTokens.Where(t => t.ExpiresAt < now || t.RevokedAt < revokedCutoff).ExecuteDeleteAsync(cancellationToken);
    }
}
