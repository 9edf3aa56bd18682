using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Shop.Core.Carts;
using Shop.Core.Data;
using Shop.Core.Orders;
using Shop.Core.Payments;
using Wolverine;

namespace Shop.Core.Jobs;

/// <summary>When each recurring job runs: cron expressions in UTC, five fields, or six with seconds first.</summary>
public sealed class JobsOptions
{
    public const string Section = "Jobs";

    public string CancelUnpaidOrders { get; set; } = "* * * * *";
    public string RedriveStuckPayments { get; set; } = "* * * * *";
    public string PurgeExpiredRecords { get; set; } = "17 * * * *";
    public string ExpireCarts { get; set; } = "23 * * * *";
}

/// <summary>
/// Recurring jobs. Wolverine runs each schedule on one node of the cluster (an agent the leader
/// assigns, moved to another node when its node dies) and stamps every occurrence with a
/// deduplication id, so an occurrence runs once however many processes there are. Each run is
/// recorded in job_runs.
/// </summary>
public static class ShopSchedules
{
    public static void Register(WolverineOptions opts, IConfiguration configuration)
    {
        var jobs = configuration.GetSection(JobsOptions.Section).Get<JobsOptions>() ?? new JobsOptions();
        Schedule(opts, nameof(CancelUnpaidOrders), jobs.CancelUnpaidOrders, at => new CancelUnpaidOrders(at));
        Schedule(opts, nameof(RedriveStuckPayments), jobs.RedriveStuckPayments, at => new RedriveStuckPayments(at));
        Schedule(opts, nameof(PurgeExpiredRecords), jobs.PurgeExpiredRecords, at => new PurgeExpiredRecords(at));
        Schedule(opts, nameof(ExpireCarts), jobs.ExpireCarts, at => new ExpireCarts(at));
    }

    private static void Schedule<T>(WolverineOptions opts, string name, string cron, Func<DateTimeOffset, T> create) where T : class
    {
        try
        {
            opts.Schedules.ScheduleRecurring(name, cron, create);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new OptionsValidationException(JobsOptions.Section, typeof(JobsOptions),
                [$"{JobsOptions.Section}:{name} must be a cron expression in UTC (five fields, or six with seconds first), not '{cron}': {e.Message}"]);
        }
    }
}

/// <summary>One occurrence of a recurring job; <c>Occurrence</c> is the instant the schedule fired for.</summary>
public sealed record CancelUnpaidOrders(DateTimeOffset Occurrence);

public sealed record RedriveStuckPayments(DateTimeOffset Occurrence);

public sealed record PurgeExpiredRecords(DateTimeOffset Occurrence);

public sealed record ExpireCarts(DateTimeOffset Occurrence);

public static partial class CancelUnpaidOrdersHandler
{
    /// <summary>Cancels orders unpaid after Orders:PaymentTimeout, unless a payment for them is still being processed.</summary>
    public static async Task Handle(CancelUnpaidOrders job, ShopDbContext db, OrderService orders, IOptions<OrdersOptions> options,
        TimeProvider clock, ILogger<CancelUnpaidOrders> logger, CancellationToken cancellationToken)
    {
        if (await JobRun.ClaimAsync(db, nameof(CancelUnpaidOrders), job.Occurrence, clock, logger, cancellationToken) is not { } run)
        {
            return;
        }

        var cutoff = run.StartedAt - options.Value.PaymentTimeout;
        var due = await db.Orders.AsNoTracking()
            .Where(o => o.Status == OrderStatus.PendingPayment && o.CreatedAt < cutoff)
            .Where(o => !db.Payments.Any(p => p.OrderId == o.Id && p.Status == PaymentStatuses.Pending))
            .OrderBy(o => o.CreatedAt).Select(o => o.Id).Take(200)
            .ToListAsync(cancellationToken);
        var cancelled = 0;
        foreach (var id in due)
        {
            try
            {
                cancelled += await orders.ExpireAsync(id, options.Value.PaymentTimeout, cancellationToken) ? 1 : 0;
            }
            catch (Common.ConflictException)
            {
                // Paid or cancelled at the same moment: nothing to expire. Forget the failed change,
                // or every later order of this run would try to save it again.
                db.ChangeTracker.Clear();
            }
        }

        if (cancelled > 0)
        {
            LogExpired(logger, cancelled);
        }

        await run.FinishAsync(db, cancelled, clock, cancellationToken);
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

    /// <summary>Payments and refunds pending for a while (their message dead-lettered or lost with a node) are sent for processing again; processing is idempotent.</summary>
    public static async Task Handle(RedriveStuckPayments job, ShopDbContext db, IMessageBus bus, TimeProvider clock,
        ILogger<RedriveStuckPayments> logger, CancellationToken cancellationToken)
    {
        if (await JobRun.ClaimAsync(db, nameof(RedriveStuckPayments), job.Occurrence, clock, logger, cancellationToken) is not { } run)
        {
            return;
        }

        var cutoff = run.StartedAt - StuckAfter;
        var stuck = await db.Payments.AsNoTracking()
            .Where(p => p.Status == PaymentStatuses.Pending && p.UpdatedAt < cutoff)
            .OrderBy(p => p.UpdatedAt).Select(p => p.Id).Take(100)
            .ToListAsync(cancellationToken);
        foreach (var id in stuck)
        {
            await bus.PublishAsync(new ProcessPayment(id));
        }

        // Refunds too: one whose message was dead-lettered would otherwise stay pending, and count
        // against the payment, for ever.
        var stuckRefunds = await db.PaymentRefunds.AsNoTracking()
            .Where(r => r.Status == RefundStatuses.Pending && r.UpdatedAt < cutoff)
            .OrderBy(r => r.UpdatedAt).Select(r => r.Id).Take(100)
            .ToListAsync(cancellationToken);
        foreach (var id in stuckRefunds)
        {
            await bus.PublishAsync(new ProcessRefund(id));
        }

        await run.FinishAsync(db, stuck.Count + stuckRefunds.Count, clock, cancellationToken);
    }
}

public static class PurgeExpiredRecordsHandler
{
    /// <summary>How long the record of a job run is kept.</summary>
    public static readonly TimeSpan JobRunRetention = TimeSpan.FromDays(7);

    public static async Task Handle(PurgeExpiredRecords job, ShopDbContext db, TimeProvider clock,
        ILogger<PurgeExpiredRecords> logger, CancellationToken cancellationToken)
    {
        if (await JobRun.ClaimAsync(db, nameof(PurgeExpiredRecords), job.Occurrence, clock, logger, cancellationToken) is not { } run)
        {
            return;
        }

        var now = run.StartedAt;
        var purged = await db.IdempotencyRecords.Where(r => r.ExpiresAt < now).ExecuteDeleteAsync(cancellationToken);
        // Revoked tokens are kept a day for reuse detection and support, expired ones go at once.
        var revokedCutoff = now.AddDays(-1);
        purged += await db.RefreshTokens.Where(t => t.ExpiresAt < now || t.RevokedAt < revokedCutoff).ExecuteDeleteAsync(cancellationToken);
        var runsCutoff = now - JobRunRetention;
        purged += await db.JobRuns.Where(r => r.StartedAt < runsCutoff).ExecuteDeleteAsync(cancellationToken);

        await run.FinishAsync(db, purged, clock, cancellationToken);
    }
}

public static class ExpireCartsHandler
{
    private const int Batch = 1000;

    /// <summary>
    /// Deletes carts untouched for Carts:Lifetime (open or closed: a closed cart's order lives on),
    /// with their lines, in batches. Reads already answer 404 for them; this frees the rows.
    /// </summary>
    public static async Task Handle(ExpireCarts job, ShopDbContext db, IOptions<CartsOptions> options, TimeProvider clock,
        ILogger<ExpireCarts> logger, CancellationToken cancellationToken)
    {
        if (await JobRun.ClaimAsync(db, nameof(ExpireCarts), job.Occurrence, clock, logger, cancellationToken) is not { } run)
        {
            return;
        }

        var cutoff = run.StartedAt - options.Value.Lifetime;
        var expired = 0;
        while (true)
        {
            var ids = await db.Carts.Where(c => c.UpdatedAt <= cutoff).OrderBy(c => c.UpdatedAt).Select(c => c.Id).Take(Batch).ToListAsync(cancellationToken);
            if (ids.Count == 0)
            {
                break;
            }

            expired += await db.Carts.Where(c => ids.Contains(c.Id) && c.UpdatedAt <= cutoff).ExecuteDeleteAsync(cancellationToken);
        }

        await run.FinishAsync(db, expired, clock, cancellationToken);
    }
}
