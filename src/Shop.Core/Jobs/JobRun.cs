using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Shop.Core.Data;

namespace Shop.Core.Jobs;

/// <summary>
/// One occurrence of a recurring job, claimed by the process that runs it. The unique
/// (job, occurrence) key is what makes an occurrence run once even if its message arrives twice
/// (a node dying between committing the work and acknowledging the message, or a schedule
/// re-published by the node that took it over). Kept a week, for operators asking "did the
/// expiry job run, where, and what did it do?"; a run without <see cref="FinishedAt"/> failed or
/// was cut short, and the next occurrence picks up its work.
/// </summary>
public sealed partial class JobRun
{
    /// <summary>This process, as it appears in job_runs.node.</summary>
    public static readonly string ThisNode = $"{Environment.MachineName}/{Environment.ProcessId}";

    public Guid Id { get; init; }
    public required string Job { get; init; }
    public DateTime Occurrence { get; init; }
    public required string Node { get; init; }
    public DateTime StartedAt { get; init; }
    public DateTime? FinishedAt { get; set; }

    /// <summary>How many things the run changed (orders cancelled, payments re-driven, records purged).</summary>
    public int? Items { get; set; }

    /// <summary>Claims the occurrence for this process, or returns null when it has already been claimed.</summary>
    internal static async Task<JobRun?> ClaimAsync(ShopDbContext db, string job, DateTimeOffset occurrence, TimeProvider clock,
        ILogger logger, CancellationToken cancellationToken)
    {
        // The usual second delivery comes later (a redelivery after a crash): answered by a read.
        // Two deliveries at the same moment meet at the unique key instead.
        if (await db.JobRuns.AnyAsync(r => r.Job == job && r.Occurrence == occurrence.UtcDateTime, cancellationToken))
        {
            LogAlreadyRun(logger, job, occurrence.UtcDateTime);
            return null;
        }

        var run = new JobRun
        {
            Id = Guid.CreateVersion7(),
            Job = job,
            Occurrence = occurrence.UtcDateTime,
            Node = ThisNode,
            StartedAt = clock.GetUtcNow().UtcDateTime,
        };
        db.JobRuns.Add(run);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return run;
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            db.Entry(run).State = EntityState.Detached;
            LogAlreadyRun(logger, job, run.Occurrence);
            return null;
        }
    }

    internal async Task FinishAsync(ShopDbContext db, int items, TimeProvider clock, CancellationToken cancellationToken)
    {
        var finished = clock.GetUtcNow().UtcDateTime;
        await db.JobRuns.Where(r => r.Id == Id)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.FinishedAt, finished).SetProperty(r => r.Items, items), cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Job} for {Occurrence:O} has already run; this delivery is skipped")]
    private static partial void LogAlreadyRun(ILogger logger, string job, DateTime occurrence);
}
