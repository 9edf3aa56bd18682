using FluentValidation;
using Shop.Core.Catalog;
using Shop.Core.Common;

namespace Shop.Core.Payments;

public sealed record CreatePaymentRequest(Guid OrderId, string PaymentToken);

public sealed record RefundPaymentRequest(decimal? Amount, [property: MultilineText] string? Reason);

public sealed record PaymentResponse(
    Guid Id, Guid OrderId, decimal Amount, string Currency, string Status, string? FailureReason, string Provider,
    string? ProviderReference, decimal RefundedAmount, DateTime CreatedAt, DateTime UpdatedAt);

public sealed record RefundResponse(Guid Id, Guid PaymentId, decimal Amount, string? Reason, string Status, DateTime CreatedAt);

/// <summary>The body of a provider webhook: <c>{ id, type, data: { paymentId, reference?, amount?, failureReason? } }</c>.</summary>
public sealed record WebhookEvent(string Id, string Type, WebhookEventData Data);

public sealed record WebhookEventData(Guid PaymentId, string? Reference, decimal? Amount, string? FailureReason);

public static class WebhookEventTypes
{
    public const string ChargeSucceeded = "charge.succeeded";
    public const string ChargeFailed = "charge.failed";
    public const string ChargeRefunded = "charge.refunded";
}

public static class PaymentMappings
{
    public static PaymentResponse ToResponse(this Payment p) => new(
        p.Id, p.OrderId, Money.ToMajor(p.AmountMinor), p.Currency, p.Status, p.FailureReason, p.Provider, p.ProviderReference,
        Money.ToMajor(p.RefundedAmountMinor), p.CreatedAt, p.UpdatedAt);

    public static RefundResponse ToResponse(this PaymentRefund r) =>
        new(r.Id, r.PaymentId, Money.ToMajor(r.AmountMinor), r.Reason, r.Status, r.CreatedAt);
}

public sealed class CreatePaymentRequestValidator : AbstractValidator<CreatePaymentRequest>
{
    public CreatePaymentRequestValidator()
    {
        RuleFor(x => x.OrderId).NotEmpty();
        RuleFor(x => x.PaymentToken).NotEmpty().MaximumLength(PaymentLimits.Token);
    }
}

public sealed class RefundPaymentRequestValidator : AbstractValidator<RefundPaymentRequest>
{
    public RefundPaymentRequestValidator()
    {
        RuleFor(x => x.Amount).GreaterThan(0).LessThanOrEqualTo(Money.MaxAmount)
            .Must(a => a is null || Money.HasAtMostTwoDecimals(a.Value)).WithMessage("'amount' must have at most 2 decimal places.")
            .When(x => x.Amount is not null);
        RuleFor(x => x.Reason).MaximumLength(PaymentLimits.Reason);
    }
}

public sealed class WebhookEventValidator : AbstractValidator<WebhookEvent>
{
    public WebhookEventValidator()
    {
        RuleFor(x => x.Id).NotEmpty().MaximumLength(128);
        RuleFor(x => x.Type).NotEmpty().MaximumLength(64);
        RuleFor(x => x.Data).NotNull();
        RuleFor(x => x.Data.PaymentId).NotEmpty().When(x => x.Data is not null);
    }
}
