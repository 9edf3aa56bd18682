using System.Security.Claims;
using System.Text.Json;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Shop.Api.Infrastructure;
using Shop.Core.Common;
using Shop.Core.Payments;
using Shop.Core.Users;

namespace Shop.Api.Endpoints;

public static class PaymentEndpoints
{
    // Webhook bodies are read by hand (the signature covers the raw bytes), so the text rule is applied in the handler.
    private static readonly TextInput.Inspector WebhookText = TextInput.For(typeof(WebhookEvent))!;

    public static IEndpointRouteBuilder MapPaymentEndpoints(this IEndpointRouteBuilder api)
    {
        var payments = api.MapGroup("/payments").WithTags("Payments").WithRequestValidation();
        payments.MapPost("/", CreatePayment).RequireAuthorization()
            .WithSummary("Pay an order (Idempotency-Key required): 202 at once, the card is charged in the background.");
        payments.MapGet("/{id:guid}", GetPayment).RequireAuthorization().WithSummary("One payment.");
        payments.MapPost("/{id:guid}/refunds", RefundPayment).RequireAuthorization(Authentication.AdminPolicy)
            .WithSummary("Refund a payment, fully unless an amount is given; processed in the background.");
        payments.MapPost("/webhooks/{provider}", ReceiveWebhook).AllowAnonymous()
            .WithSummary("Provider events, signed with Shop-Signature (HMAC-SHA256, 5-minute tolerance); each event id is applied once.");

        api.MapGet("/orders/{id:guid}/payments", ListOrderPayments).RequireAuthorization().WithTags("Payments").WithRequestValidation()
            .WithSummary("The payments of one order, oldest first (paged like every list).");
        return api;
    }

    private static async Task<Results<Accepted<PaymentResponse>, ContentHttpResult>> CreatePayment(
        CreatePaymentRequest request, [FromHeader(Name = "Idempotency-Key")] string? idempotencyKey,
        ClaimsPrincipal user, PaymentService payments, IdempotencyService idempotency, HttpContext http, CancellationToken cancellationToken)
    {
        if (idempotencyKey is null)
        {
            throw new RequestValidationException("Idempotency-Key", "POST /payments needs an Idempotency-Key header, so that a retry never charges twice.");
        }

        var userId = user.UserId();
        var start = await Idempotency.BeginAsync(idempotency, userId, PaymentService.CreateOperation, idempotencyKey, request, cancellationToken);
        if (start.Replay is { } replay)
        {
            return Idempotency.Replay(http, replay);
        }

        try
        {
            var payment = await payments.CreateAsync(userId, request, start.Ticket!.Value, cancellationToken);
            return TypedResults.Accepted(PaymentService.Location(payment.Id), payment);
        }
        catch
        {
            await idempotency.AbandonAsync(start.Ticket!.Value);
            throw;
        }
    }

    private static async Task<Ok<PaymentResponse>> GetPayment(Guid id, ClaimsPrincipal user, PaymentService payments, CancellationToken cancellationToken) =>
        TypedResults.Ok(await payments.GetAsync(id, user.UserId(), user.IsInRole(Roles.Admin), cancellationToken));

    private static async Task<Ok<PagedResult<PaymentResponse>>> ListOrderPayments(
        Guid id, [AsParameters] PageQuery paging, ClaimsPrincipal user, PaymentService payments, CancellationToken cancellationToken) =>
        TypedResults.Ok(await payments.ListForOrderAsync(id, user.UserId(), user.IsInRole(Roles.Admin), paging, cancellationToken));

    /// <summary>An Idempotency-Key is optional here: with one, a retried request answers from the first instead of refunding twice.</summary>
    private static async Task<Results<Accepted<RefundResponse>, ContentHttpResult>> RefundPayment(
        Guid id, RefundPaymentRequest? request, [FromHeader(Name = "Idempotency-Key")] string? idempotencyKey,
        ClaimsPrincipal admin, PaymentService payments, IdempotencyService idempotency, HttpContext http, CancellationToken cancellationToken)
    {
        request ??= new RefundPaymentRequest(null, null);
        if (idempotencyKey is null)
        {
            return TypedResults.Accepted(PaymentService.Location(id), await payments.RefundAsync(id, admin.UserId(), request, null, cancellationToken));
        }

        // The payment is part of what the key stands for: the same key on another payment is another request (422).
        var start = await Idempotency.BeginAsync(idempotency, admin.UserId(), PaymentService.RefundOperation, idempotencyKey,
            new { paymentId = id, request.Amount, request.Reason }, cancellationToken);
        if (start.Replay is { } replay)
        {
            return Idempotency.Replay(http, replay);
        }

        try
        {
            return TypedResults.Accepted(PaymentService.Location(id), await payments.RefundAsync(id, admin.UserId(), request, start.Ticket, cancellationToken));
        }
        catch
        {
            await idempotency.AbandonAsync(start.Ticket!.Value);
            throw;
        }
    }

    private static async Task<Ok<WebhookReceipt>> ReceiveWebhook(
        string provider, HttpContext http, PaymentProcessor processor, IOptions<PaymentOptions> options, IValidator<WebhookEvent> validator,
        TimeProvider clock, CancellationToken cancellationToken)
    {
        if (!string.Equals(provider, options.Value.Provider, StringComparison.OrdinalIgnoreCase))
        {
            throw new NotFoundException($"No payment provider '{provider}' is configured.");
        }

        var secret = options.Value.WebhookSecret;
        if (string.IsNullOrEmpty(secret))
        {
            // Nothing can carry a valid signature until a secret is set: every request is a bad signature.
            throw new RequestValidationException(WebhookSignature.Header, "The signature cannot be verified: Payments:WebhookSecret is not set on this server.");
        }

        using var buffer = new MemoryStream();
        await http.Request.Body.CopyToAsync(buffer, cancellationToken);
        var body = buffer.ToArray();
        if (WebhookSignature.Verify(http.Request.Headers[WebhookSignature.Header], secret, clock.GetUtcNow(), body) is { } invalid)
        {
            throw new RequestValidationException(WebhookSignature.Header, invalid);
        }

        WebhookEvent? webhook;
        try
        {
            webhook = JsonSerializer.Deserialize<WebhookEvent>(body, JsonSerializerOptions.Web);
        }
        catch (JsonException)
        {
            webhook = null;
        }

        if (webhook is null)
        {
            throw new RequestValidationException("body", "The webhook body is not a valid event.");
        }

        var errors = (await validator.ValidateAsync(webhook, cancellationToken)).ToDictionary();
        WebhookText(webhook, "", errors);
        if (errors.Count > 0)
        {
            throw new RequestValidationException(errors, "The webhook body is not a valid event.");
        }

        var applied = await processor.ApplyWebhookAsync(options.Value.Provider, webhook, cancellationToken);
        return TypedResults.Ok(new WebhookReceipt(webhook.Id, applied ? "applied" : "duplicate"));
    }

    public sealed record WebhookReceipt(string EventId, string Result);
}
