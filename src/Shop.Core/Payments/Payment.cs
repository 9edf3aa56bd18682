namespace Shop.Core.Payments;

public static class PaymentStatuses
{
    public const string Pending = "pending";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
    public const string Refunded = "refunded";
}

/// <summary>
/// One attempt to pay for an order. At most one payment per order is pending or succeeded at any
/// time (a partial unique index says so); the provider is charged with this payment's id as its
/// idempotency key, so a charge happens at most once whatever is retried.
/// </summary>
public sealed class Payment
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid OrderId { get; init; }
    public Guid UserId { get; init; }
    public long AmountMinor { get; init; }
    public required string Currency { get; init; }
    public string Status { get; set; } = PaymentStatuses.Pending;
    public string? FailureReason { get; set; }
    public required string Provider { get; init; }

    /// <summary>The provider's single-use token for the card (never a card number).</summary>
    public required string PaymentToken { get; init; }

    public string? ProviderReference { get; set; }
    public long RefundedAmountMinor { get; set; }
    public int Attempts { get; set; }
    public DateTime CreatedAt { get; init; }
    public DateTime UpdatedAt { get; set; }
    public long Version { get; set; } = 1;
}
