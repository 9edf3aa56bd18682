using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Shop.Core.Data;

namespace Shop.Core.Common;

/// <summary>
/// The first response to a request made with an Idempotency-Key, kept for 24 hours per user,
/// operation and key. A record without a response is a request still in flight; its lease lets a
/// retry take over if the process that held it died.
/// </summary>
public sealed class IdempotencyRecord
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid UserId { get; init; }
    public required string Operation { get; init; }
    public required string Key { get; init; }
    public required string RequestHash { get; init; }
    public DateTime LeaseUntil { get; set; }
    public DateTime? CompletedAt { get; set; }
    public int? ResponseStatus { get; set; }
    public string? ResponseBody { get; set; }
    public string? ResponseLocation { get; set; }
    public DateTime CreatedAt { get; init; }
    public DateTime ExpiresAt { get; init; }
}

/// <summary>
/// A claimed key, handed to the service doing the work so that it stores the response in its own
/// transaction. <see cref="Location"/> turns the created resource's id into the response's Location
/// (paths belong to the HTTP layer, which makes the ticket).
/// </summary>
public sealed record IdempotencyTicket(Guid Id, Func<Guid, string> Location);

/// <summary>What <see cref="IdempotencyService.BeginAsync"/> decided: run the request under a ticket, or replay a stored response.</summary>
public sealed record IdempotencyStart(Guid? Ticket, IdempotencyRecord? Replay);

public sealed class IdempotencyService(ShopDbContext db, TimeProvider clock)
{
    public const int MaxKeyLength = 255;
    public static readonly TimeSpan Retention = TimeSpan.FromHours(24);

    /// <summary>How long a request may run before a retry with its key may assume it died and take over.</summary>
    public static readonly TimeSpan Lease = TimeSpan.FromSeconds(60);

    /// <summary>A fingerprint of the request as bound: the same JSON in another key order or spacing is the same request.</summary>
    public static string Fingerprint<T>(T request) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(request, JsonSerializerOptions.Web))));

    /// <summary>
    /// Claims the key for this request (a ticket), or finds its stored response (a replay).
    /// Another body with the same key is 422; the same key while the first request runs is 409.
    /// The key is read before it is claimed: a replay is the usual retry, and a failed insert would
    /// log a database error each time. The unique index on (user, operation, key) still decides
    /// between concurrent first attempts: the loser reads what the winner stored.
    /// </summary>
    public async Task<IdempotencyStart> BeginAsync(Guid userId, string operation, string key, string requestHash, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var now = clock.GetUtcNow().UtcDateTime;
            var existing = await db.IdempotencyRecords.AsNoTracking()
                .SingleOrDefaultAsync(r => r.UserId == userId && r.Operation == operation && r.Key == key, cancellationToken);
            if (existing is null)
            {
                if (await TryClaimAsync(userId, operation, key, requestHash, now, cancellationToken) is { } ticket)
                {
                    return new IdempotencyStart(ticket, null);
                }

                continue; // a concurrent first attempt claimed it between our read and our insert
            }

            if (existing.ExpiresAt <= now)
            {
                await db.IdempotencyRecords.Where(r => r.Id == existing.Id && r.ExpiresAt <= now).ExecuteDeleteAsync(cancellationToken);
                continue;
            }

            if (existing.RequestHash != requestHash)
            {
                throw new UnprocessableException(
                    "This Idempotency-Key was already used with a different request body. Use a new key for a new request.", "idempotency-key-reused");
            }

            if (existing.CompletedAt is not null)
            {
                return new IdempotencyStart(null, existing);
            }

            if (existing.LeaseUntil <= now)
            {
                // The process that claimed the key died before answering: take its place.
                var taken = await db.IdempotencyRecords
                    .Where(r => r.Id == existing.Id && r.CompletedAt == null && r.LeaseUntil == existing.LeaseUntil)
                    .ExecuteUpdateAsync(s => s.SetProperty(r => r.LeaseUntil, now + Lease), cancellationToken);
                if (taken == 1)
                {
                    return new IdempotencyStart(existing.Id, null);
                }
            }

            // Stryker disable once Statement : without this throw the loop reads the same in-flight key again and throws the same 409 after the last attempt; only the number of reads differs
            throw InProgress();
        }

        throw InProgress();
    }

    /// <summary>Inserts the claim; null when another request inserted the same key first.</summary>
    private async Task<Guid?> TryClaimAsync(Guid userId, string operation, string key, string requestHash, DateTime now, CancellationToken cancellationToken)
    {
        var claim = new IdempotencyRecord
        {
            UserId = userId, Operation = operation, Key = key, RequestHash = requestHash,
            LeaseUntil = now + Lease, CreatedAt = now, ExpiresAt = now + Retention,
        };
        db.IdempotencyRecords.Add(claim);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return claim.Id;
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            db.Entry(claim).State = EntityState.Detached;
            return null;
        }
    }

    private static ConflictException InProgress() =>
        new("A request with this Idempotency-Key is still being processed. Retry shortly.", "idempotency-in-progress");

    /// <summary>
    /// Stores the response, whose Location names <paramref name="resourceId"/>. Call it inside the
    /// transaction of the work itself, so both commit or neither does.
    /// </summary>
    public Task CompleteAsync(IdempotencyTicket ticket, int status, object body, Guid resourceId, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var json = JsonSerializer.Serialize(body, JsonSerializerOptions.Web);
        var location = ticket.Location(resourceId);
        return db.IdempotencyRecords.Where(r => r.Id == ticket.Id).ExecuteUpdateAsync(s => s
            .SetProperty(r => r.CompletedAt, now)
            .SetProperty(r => r.ResponseStatus, status)
            .SetProperty(r => r.ResponseBody, json)
            .SetProperty(r => r.ResponseLocation, location), cancellationToken);
    }

    /// <summary>The request failed: forget the key, so that a retry runs again (nothing was created).</summary>
    public Task AbandonAsync(Guid ticket) =>
        db.IdempotencyRecords.Where(r => r.Id == ticket && r.CompletedAt == null).ExecuteDeleteAsync(CancellationToken.None);
}
