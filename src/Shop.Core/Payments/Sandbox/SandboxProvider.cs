using Microsoft.EntityFrameworkCore;
using Shop.Core.Data;

namespace Shop.Core.Payments;

/// <summary>What the sandbox card network remembers about a charge or refund: its ledger.</summary>
public sealed class SandboxLedgerEntry
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    /// <summary>"charge" or "refund".</summary>
    public required string Kind { get; init; }

    /// <summary>Unique per kind: the same key always gets the same answer, and money moves once.</summary>
    public required string IdempotencyKey { get; init; }

    public string? ChargeReference { get; init; }
    public long AmountMinor { get; init; }
    public required string Currency { get; init; }
    public string? Token { get; init; }

    /// <summary>"succeeded", "declined", or "processing" while transient failures are being simulated.</summary>
    public string Status { get; set; } = "processing";

    public string? FailureReason { get; set; }
    public int Calls { get; set; }
    public DateTime CreatedAt { get; init; }
    public DateTime UpdatedAt { get; set; }

    public string Reference => (Kind == "charge" ? "ch_" : "re_") + Id.ToString("N");
}

/// <summary>
/// The built-in test-mode processor, behaving like a card network's test mode: tok_visa succeeds;
/// tok_chargeDeclined is declined (card_declined); tok_chargeDeclinedInsufficientFunds is declined
/// (insufficient_funds); tok_chargeDeclinedProcessingError fails twice with a temporary error and
/// then succeeds; anything else is declined (invalid_token). Its ledger is kept in the database
/// (sandbox_ledger), keyed by idempotency key, so a test can prove every payment was charged at most once.
/// </summary>
public sealed class SandboxProvider(DbContextOptions<ShopDbContext> options, TimeProvider clock) : IPaymentProvider
{
    public const string ProviderName = "Sandbox";
    public const string Visa = "tok_visa";
    public const string Declined = "tok_chargeDeclined";
    public const string InsufficientFunds = "tok_chargeDeclinedInsufficientFunds";
    public const string ProcessingError = "tok_chargeDeclinedProcessingError";
    public const int TransientFailures = 2;

    public string Name => ProviderName;

    public async Task<ChargeResult> ChargeAsync(ChargeRequest request, CancellationToken cancellationToken)
    {
        // The card network is another system: its ledger has its own connection, never the caller's transaction.
        await using var db = new ShopDbContext(options);
        var entry = await RecordCallAsync(db, "charge", request.IdempotencyKey, null, request.AmountMinor, request.Currency, request.PaymentToken, cancellationToken);
        if (entry.Status == "processing")
        {
            var (status, reason) = request.PaymentToken switch
            {
                Visa => ("succeeded", (string?)null),
                ProcessingError when entry.Calls > TransientFailures => ("succeeded", null),
                ProcessingError => ("processing", null),
                Declined => ("declined", "card_declined"),
                InsufficientFunds => ("declined", "insufficient_funds"),
                _ => ("declined", "invalid_token"),
            };
            if (status == "processing")
            {
                throw new PaymentProviderUnavailableException($"Sandbox processing error (call {entry.Calls} of {TransientFailures} failing calls).");
            }

            entry = await FinishAsync(db, entry, status, reason, cancellationToken);
        }

        return new ChargeResult(entry.Status == "succeeded", entry.Status == "succeeded" ? entry.Reference : null, entry.FailureReason);
    }

    public async Task<RefundResult> RefundAsync(RefundRequest request, CancellationToken cancellationToken)
    {
        await using var db = new ShopDbContext(options);
        var charge = await db.SandboxLedger.AsNoTracking()
            .SingleOrDefaultAsync(e => e.Kind == "charge" && e.Status == "succeeded" && e.Id == ParseReference(request.ChargeReference), cancellationToken);
        var entry = await RecordCallAsync(db, "refund", request.IdempotencyKey, request.ChargeReference, request.AmountMinor, request.Currency, null, cancellationToken);
        if (entry.Status == "processing")
        {
            var refunded = await db.SandboxLedger.Where(e => e.Kind == "refund" && e.Status == "succeeded" && e.ChargeReference == request.ChargeReference)
                .SumAsync(e => e.AmountMinor, cancellationToken);
            var (status, reason) = charge is null ? ("declined", "no_such_charge")
                : refunded + request.AmountMinor > charge.AmountMinor ? ("declined", "amount_exceeds_charge")
                : ("succeeded", (string?)null);
            entry = await FinishAsync(db, entry, status, reason, cancellationToken);
        }

        return new RefundResult(entry.Status == "succeeded", entry.Status == "succeeded" ? entry.Reference : null, entry.FailureReason);
    }

    private static Guid ParseReference(string reference) =>
        Guid.TryParseExact(reference.Length > 3 ? reference[3..] : "", "N", out var id) ? id : Guid.Empty;

    /// <summary>Finds or creates the ledger entry for this key and counts the call; concurrent first calls meet on the unique key.</summary>
    private async Task<SandboxLedgerEntry> RecordCallAsync(ShopDbContext db, string kind, string key, string? chargeReference, long amount, string currency, string? token, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        for (var attempt = 0; attempt < 2; attempt++)
        {
            var updated = await db.SandboxLedger.Where(e => e.Kind == kind && e.IdempotencyKey == key)
                .ExecuteUpdateAsync(s => s.SetProperty(e => e.Calls, e => e.Calls + 1).SetProperty(e => e.UpdatedAt, now), cancellationToken);
            if (updated == 0)
            {
                var entry = new SandboxLedgerEntry
                {
                    Kind = kind, IdempotencyKey = key, ChargeReference = chargeReference, AmountMinor = amount, Currency = currency,
                    Token = token, Calls = 1, CreatedAt = now, UpdatedAt = now,
                };
                db.SandboxLedger.Add(entry);
                try
                {
                    await db.SaveChangesAsync(cancellationToken);
                    return entry;
                }
                catch (DbUpdateException e) when (e.IsUniqueViolation())
                {
                    db.Entry(entry).State = EntityState.Detached;
                    continue; // a concurrent call with the same key created it: count ours on it
                }
            }

            return await db.SandboxLedger.AsNoTracking().SingleAsync(e => e.Kind == kind && e.IdempotencyKey == key, cancellationToken);
        }

        throw new PaymentProviderUnavailableException("Sandbox ledger contention; retry.");
    }

    private static async Task<SandboxLedgerEntry> FinishAsync(ShopDbContext db, SandboxLedgerEntry entry, string status, string? reason, CancellationToken cancellationToken)
    {
        // Only the first finisher decides; a concurrent call with the same key reads its decision.
        await db.SandboxLedger.Where(e => e.Id == entry.Id && e.Status == "processing")
            .ExecuteUpdateAsync(s => s.SetProperty(e => e.Status, status).SetProperty(e => e.FailureReason, reason), cancellationToken);
        return await db.SandboxLedger.AsNoTracking().SingleAsync(e => e.Id == entry.Id, cancellationToken);
    }
}
