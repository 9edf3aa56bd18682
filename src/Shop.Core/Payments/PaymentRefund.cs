namespace Shop.Core.Payments;

public static class RefundStatuses
{
    public const string Pending = "pending";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
}

public sealed class PaymentRefund
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid PaymentId { get; init; }
    public long AmountMinor { get; init; }
    public string? Reason { get; init; }
    public string Status { get; set; } = RefundStatuses.Pending;
    public string? ProviderReference { get; set; }
    public string? FailureReason { get; set; }
    public Guid? RequestedBy { get; init; }
    public DateTime CreatedAt { get; init; }
    public DateTime UpdatedAt { get; set; }
}
