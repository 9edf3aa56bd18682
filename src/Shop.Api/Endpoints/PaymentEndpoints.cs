using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Shop.Api.Infrastructure;
using Shop.Core.Common;
using Shop.Core.Payments;
using Shop.Core.Users;

namespace Shop.Api.Endpoints;

public static class PaymentEndpoints
{
    public static IEndpointRouteBuilder MapPaymentEndpoints(this IEndpointRouteBuilder api)
    {
        var payments = api.MapGroup("/payments").WithTags("Payments").WithRequestValidation();
        payments.MapPost("/", CreatePayment).RequireAuthorization()
            .WithIdempotencyKey(PaymentService.CreateOperation, Links.Payment, required: true)
            .Problems(StatusCodes.Status404NotFound, "not-found")
            .Problems(StatusCodes.Status409Conflict, "order-not-payable", "payment-in-progress")
            .WithSummary("Pay an order (Idempotency-Key required): 202 at once, the card is charged in the background.");
        payments.MapGet("/{id:guid}", GetPayment).RequireAuthorization().WithSummary("One payment.");
        payments.MapPost("/{id:guid}/refunds", RefundPayment).RequireAuthorization(Authentication.AdminPolicy)
            // With a key, a retried refund answers from the first instead of refunding twice.
            .WithIdempotencyKey(PaymentService.RefundOperation, Links.Payment, required: false)
            .Problems(StatusCodes.Status409Conflict, "payment-not-refundable", "refund-exceeds-payment")
            .WithSummary("Refund a payment, fully unless an amount is given; processed in the background.");
        payments.MapPost("/webhooks/{provider}", ReceiveWebhook).AllowAnonymous()
            .Accepts<WebhookEvent>("application/json")
            .WithSummary("Provider events, signed with Shop-Signature (HMAC-SHA256, 5-minute tolerance); each event id is applied once.");

        api.MapQuery("/orders/{id:guid}/payments", ListOrderPayments).RequireAuthorization().WithTags("Payments").WithRequestValidation()
            .WithSummary("The payments of one order, oldest first (paged like every list).");
        return api;
    }

    private static async Task<Accepted<PaymentResponse>> CreatePayment(
        CreatePaymentRequest request, ClaimsPrincipal user, PaymentService payments, HttpContext http, CancellationToken cancellationToken)
    {
        var payment = await payments.CreateAsync(user.UserId(), request, Idempotency.TicketOf(http)!, cancellationToken);
        return TypedResults.Accepted(Links.Payment(payment.Id), payment);
    }

    private static async Task<Ok<PaymentResponse>> GetPayment(Guid id, ClaimsPrincipal user, PaymentService payments, CancellationToken cancellationToken) =>
        TypedResults.Ok(await payments.GetAsync(id, user.UserId(), user.IsInRole(Roles.Admin), cancellationToken));

    private static async Task<Ok<PagedResult<PaymentResponse>>> ListOrderPayments(
        Guid id, [AsParameters] PageQuery paging, ClaimsPrincipal user, PaymentService payments, CancellationToken cancellationToken) =>
        TypedResults.Ok(await payments.ListForOrderAsync(id, user.UserId(), user.IsInRole(Roles.Admin), paging, cancellationToken));

    private static async Task<Accepted<RefundResponse>> RefundPayment(
        Guid id, RefundPaymentRequest? request, ClaimsPrincipal admin, PaymentService payments, HttpContext http, CancellationToken cancellationToken) =>
        TypedResults.Accepted(Links.Payment(id),
            await payments.RefundAsync(id, admin.UserId(), request ?? new RefundPaymentRequest(null, null), Idempotency.TicketOf(http), cancellationToken));

    private static async Task<Ok<WebhookReceipt>> ReceiveWebhook(
        string provider, [FromHeader(Name = WebhookSignature.Header)] string? signature, HttpContext http, WebhookReader reader, PaymentProcessor processor,
        CancellationToken cancellationToken)
    {
        var webhook = await reader.ReadAsync(provider, signature, http.Request.Body, cancellationToken);
        var applied = await processor.ApplyWebhookAsync(reader.Provider, webhook, cancellationToken);
        return TypedResults.Ok(new WebhookReceipt(webhook.Id, applied ? "applied" : "duplicate"));
    }

    public sealed record WebhookReceipt(string EventId, string Result);
}
