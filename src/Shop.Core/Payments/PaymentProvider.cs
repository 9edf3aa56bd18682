using System.ComponentModel.DataAnnotations;

namespace Shop.Core.Payments;

public sealed class PaymentOptions
{
    public const string Section = "Payments";

    [Required] public string Provider { get; set; } = SandboxProvider.ProviderName;

    /// <summary>HMAC-SHA256 secret of incoming webhooks; without it the webhook endpoint refuses everything.</summary>
    public string? WebhookSecret { get; set; }
}

public sealed record ChargeRequest(string IdempotencyKey, long AmountMinor, string Currency, string PaymentToken);

/// <summary>A final answer from the card network: succeeded with a reference, or declined with a reason.</summary>
public sealed record ChargeResult(bool Succeeded, string? Reference, string? FailureReason);

public sealed record RefundRequest(string IdempotencyKey, string ChargeReference, long AmountMinor, string Currency);

public sealed record RefundResult(bool Succeeded, string? Reference, string? FailureReason);

/// <summary>
/// A card processor. Calls carry an idempotency key, so that repeating a call (after a timeout,
/// a crash, a redelivered message) never charges twice. A temporary failure is an exception
/// (<see cref="PaymentProviderUnavailableException"/>) to retry; a decline is a result.
/// </summary>
public interface IPaymentProvider
{
    string Name { get; }

    Task<ChargeResult> ChargeAsync(ChargeRequest request, CancellationToken cancellationToken);

    Task<RefundResult> RefundAsync(RefundRequest request, CancellationToken cancellationToken);
}

/// <summary>The provider could not answer now (network, 5xx, processing error): the call is to be retried with backoff.</summary>
public sealed class PaymentProviderUnavailableException(string message) : Exception(message);
