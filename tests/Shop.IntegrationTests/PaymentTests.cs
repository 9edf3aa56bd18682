using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Shop.Core.Payments;
using Shop.IntegrationTests.Infrastructure;

namespace Shop.IntegrationTests;

public abstract class PaymentTests(ShopFactory shop)
{
    private async Task<(TestUser Admin, TestUser Customer, Guid Product, Guid Order)> PendingOrderAsync(int onHand = 10, int quantity = 2, decimal price = 25m)
    {
        var admin = await shop.AdminAsync();
        var customer = await shop.NewUserAsync();
        var product = await admin.CreateProductAsync(onHand: onHand, price: price);
        var order = (await customer.PlaceOrderAsync((product, quantity))).GetProperty("id").GetGuid();
        return (admin, customer, product, order);
    }

    private async Task<int> LedgerCountAsync(Guid paymentId, string status)
    {
        await using var db = shop.OpenContext();
        var key = paymentId.ToString("N");
        return await db.SandboxLedger.CountAsync(e => e.Kind == "charge" && e.IdempotencyKey == key && e.Status == status);
    }

    private async Task<double> PaymentsCountedAsync(string outcome) =>
        Loopback.MetricValue(await (await shop.Client().GetAsync("/metrics")).Content.ReadAsStringAsync(), $"shop_payments_total{{outcome=\"{outcome}\"}}");

    /// <summary>Waits for /metrics to count one more payment with this outcome (it is counted just after the outcome commits).</summary>
    private Task CountedAsync(string outcome, double before) =>
        Eventually.Until($"a payment {outcome} to be counted", () => PaymentsCountedAsync(outcome), count => count > before, TimeSpan.FromSeconds(10));

    [Fact]
    public async Task A_visa_payment_is_accepted_charged_in_the_background_and_pays_the_order_with_a_confirmation_email()
    {
        var (admin, customer, product, orderId) = await PendingOrderAsync(quantity: 2, price: 25m);
        var succeededBefore = await PaymentsCountedAsync("succeeded");

        var response = await customer.PayAsync(orderId, SandboxProvider.Visa);
        var accepted = await Expect.Json(response, HttpStatusCode.Accepted);
        Assert.Equal("pending", accepted.GetProperty("status").GetString());
        Assert.Equal(50m, accepted.GetProperty("amount").GetDecimal());
        Assert.Equal("USD", accepted.GetProperty("currency").GetString());
        var paymentId = accepted.GetProperty("id").GetGuid();
        Assert.Equal($"/api/v1/payments/{paymentId}", response.Headers.Location?.ToString());

        var payment = await customer.SettledAsync(paymentId);
        Assert.Equal("succeeded", payment.GetProperty("status").GetString());
        Assert.Equal("Sandbox", payment.GetProperty("provider").GetString());
        Assert.StartsWith("ch_", payment.GetProperty("providerReference").GetString(), StringComparison.Ordinal);
        var order = await customer.OrderWhenAsync(orderId, "paid");
        var number = order.GetProperty("number").GetString()!;
        var paidStep = order.GetProperty("statusHistory").EnumerateArray().Last();
        Assert.Equal(("system", $"Paid (Sandbox {payment.GetProperty("providerReference").GetString()})."), (paidStep.GetProperty("actor").GetString(), paidStep.GetProperty("note").GetString()));
        await CountedAsync("succeeded", succeededBefore);

        var stock = await admin.InventoryAsync(product);
        Assert.Equal(8, stock.GetProperty("onHand").GetInt32());
        Assert.Equal(0, stock.GetProperty("reserved").GetInt32());

        var email = await shop.Smtp.WaitForAsync(m => m.To.ToString().Contains(customer.Email, StringComparison.OrdinalIgnoreCase) && (m.Subject ?? "").Contains(number, StringComparison.Ordinal));
        Assert.Contains("50.00 USD", email.Subject, StringComparison.Ordinal);
        Assert.Contains(number, email.TextBody, StringComparison.Ordinal);
        Assert.Contains("2 x ", email.TextBody, StringComparison.Ordinal);
        Assert.Contains("50.00 USD", email.HtmlBody, StringComparison.Ordinal);
        Assert.Contains(number, email.HtmlBody, StringComparison.Ordinal);

        var list = await Expect.Json(await customer.Client.GetAsync($"/api/v1/orders/{orderId}/payments"));
        Assert.Equal(paymentId, Assert.Single(list.GetProperty("items").EnumerateArray()).GetProperty("id").GetGuid());
        Assert.Equal(1, list.GetProperty("totalCount").GetInt32());
        await Expect.ValidationError(await customer.Client.GetAsync($"/api/v1/orders/{orderId}/payments?pageSize=0"), "pageSize");
        Assert.Equal(1, await LedgerCountAsync(paymentId, "succeeded"));
    }

    [Theory]
    [InlineData(SandboxProvider.Declined, "card_declined")]
    [InlineData(SandboxProvider.InsufficientFunds, "insufficient_funds")]
    [InlineData("tok_made_up", "invalid_token")]
    public async Task A_declined_card_fails_the_payment_and_leaves_the_order_payable(string token, string reason)
    {
        var (_, customer, _, orderId) = await PendingOrderAsync();
        var failedBefore = await PaymentsCountedAsync("failed");
        var paymentId = (await Expect.Json(await customer.PayAsync(orderId, token), HttpStatusCode.Accepted)).GetProperty("id").GetGuid();

        var payment = await customer.SettledAsync(paymentId);
        Assert.Equal("failed", payment.GetProperty("status").GetString());
        Assert.Equal(reason, payment.GetProperty("failureReason").GetString());
        await CountedAsync("failed", failedBefore);
        Assert.Equal("pending_payment", (await Expect.Json(await customer.Client.GetAsync($"/api/v1/orders/{orderId}"))).GetProperty("status").GetString());

        // A failed payment does not block a new attempt.
        var retry = (await Expect.Json(await customer.PayAsync(orderId, SandboxProvider.Visa), HttpStatusCode.Accepted)).GetProperty("id").GetGuid();
        Assert.Equal("succeeded", (await customer.SettledAsync(retry)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_processing_error_is_retried_with_backoff_until_it_succeeds_and_charges_once()
    {
        var (_, customer, _, orderId) = await PendingOrderAsync();
        var paymentId = (await Expect.Json(await customer.PayAsync(orderId, SandboxProvider.ProcessingError), HttpStatusCode.Accepted)).GetProperty("id").GetGuid();

        Assert.Equal("succeeded", (await customer.SettledAsync(paymentId)).GetProperty("status").GetString());
        await customer.OrderWhenAsync(orderId, "paid");
        await using var db = shop.OpenContext();
        var key = paymentId.ToString("N");
        var entry = await db.SandboxLedger.SingleAsync(e => e.Kind == "charge" && e.IdempotencyKey == key);
        Assert.Equal("succeeded", entry.Status);
        Assert.Equal(SandboxProvider.TransientFailures + 1, entry.Calls);
    }

    [Fact]
    public async Task Payments_need_an_idempotency_key_and_replay_answers_from_the_first_response()
    {
        var (_, customer, _, orderId) = await PendingOrderAsync();
        var noKey = new HttpRequestMessage(HttpMethod.Post, "/api/v1/payments") { Content = JsonContent.Create(new { orderId, paymentToken = SandboxProvider.Visa }) };
        await Expect.ValidationError(await customer.Client.SendAsync(noKey), "Idempotency-Key");

        var key = $"pay-{Guid.NewGuid():N}";
        var first = await Expect.Json(await customer.PayAsync(orderId, SandboxProvider.Visa, key), HttpStatusCode.Accepted);
        var replay = await Expect.Json(await customer.PayAsync(orderId, SandboxProvider.Visa, key), HttpStatusCode.Accepted);
        Assert.Equal(first.GetProperty("id").GetGuid(), replay.GetProperty("id").GetGuid());
        await Expect.Problem(await customer.PayAsync(orderId, SandboxProvider.Declined, key), HttpStatusCode.UnprocessableEntity);

        await customer.SettledAsync(first.GetProperty("id").GetGuid());
        Assert.Single((await Expect.Json(await customer.Client.GetAsync($"/api/v1/orders/{orderId}/payments"))).GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task Concurrent_payments_of_one_order_with_different_keys_create_one_payment()
    {
        var (_, customer, _, orderId) = await PendingOrderAsync();
        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => customer.PayAsync(orderId, SandboxProvider.Visa)));

        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.Accepted));
        Assert.Equal(5, responses.Count(r => r.StatusCode == HttpStatusCode.Conflict));
        var payment = await Expect.Json(responses.Single(r => r.StatusCode == HttpStatusCode.Accepted), HttpStatusCode.Accepted);
        await customer.SettledAsync(payment.GetProperty("id").GetGuid());
        Assert.Equal(1, await LedgerCountAsync(payment.GetProperty("id").GetGuid(), "succeeded"));
    }

    [Fact]
    public async Task Paying_a_cancelled_a_paid_or_someone_elses_order_is_refused()
    {
        var (_, customer, _, orderId) = await PendingOrderAsync();
        var stranger = await shop.NewUserAsync();
        await Expect.Problem(await stranger.PayAsync(orderId, SandboxProvider.Visa), HttpStatusCode.NotFound);
        await Expect.Problem(await customer.PayAsync(Guid.NewGuid(), SandboxProvider.Visa), HttpStatusCode.NotFound);

        var paymentId = (await Expect.Json(await customer.PayAsync(orderId, SandboxProvider.Visa), HttpStatusCode.Accepted)).GetProperty("id").GetGuid();
        await Expect.Problem(await customer.PayAsync(orderId, SandboxProvider.Visa), HttpStatusCode.Conflict);
        await customer.SettledAsync(paymentId);
        await Expect.Problem(await customer.PayAsync(orderId, SandboxProvider.Visa), HttpStatusCode.Conflict);
        await Expect.Problem(await stranger.Client.GetAsync($"/api/v1/payments/{paymentId}"), HttpStatusCode.NotFound);
        await Expect.Problem(await stranger.Client.GetAsync($"/api/v1/orders/{orderId}/payments"), HttpStatusCode.NotFound);

        var (_, other, _, cancelled) = await PendingOrderAsync();
        await Expect.Status(await other.Client.PostAsync($"/api/v1/orders/{cancelled}/cancel", null), HttpStatusCode.OK);
        await Expect.Problem(await other.PayAsync(cancelled, SandboxProvider.Visa), HttpStatusCode.Conflict);
        await Expect.ValidationError(await other.PayAsync(cancelled, ""), "paymentToken");
    }

    [Fact]
    public async Task An_admin_refund_in_full_refunds_the_order_and_a_partial_one_does_not()
    {
        var (admin, customer, product, orderId) = await PendingOrderAsync(quantity: 2, price: 30m);
        var paymentId = (await Expect.Json(await customer.PayAsync(orderId, SandboxProvider.Visa), HttpStatusCode.Accepted)).GetProperty("id").GetGuid();
        await customer.SettledAsync(paymentId);
        await customer.OrderWhenAsync(orderId, "paid");

        await Expect.Problem(await customer.Client.PostAsJsonAsync($"/api/v1/payments/{paymentId}/refunds", new { }), HttpStatusCode.Forbidden);
        await Expect.ValidationError(await admin.Client.PostAsJsonAsync($"/api/v1/payments/{paymentId}/refunds", new { amount = -1 }), "amount");
        await Expect.Problem(await admin.Client.PostAsJsonAsync($"/api/v1/payments/{paymentId}/refunds", new { amount = 60.01m }), HttpStatusCode.Conflict);

        await Expect.Status(await admin.Client.PostAsJsonAsync($"/api/v1/payments/{paymentId}/refunds", new { amount = 20m, reason = "scratched" }), HttpStatusCode.Accepted);
        var partial = await Eventually.Until($"payment {paymentId} to have 20 refunded", async () => await Expect.Json(await customer.Client.GetAsync($"/api/v1/payments/{paymentId}")),
            p => p.GetProperty("refundedAmount").GetDecimal() == 20m, TimeSpan.FromSeconds(30));
        Assert.Equal("succeeded", partial.GetProperty("status").GetString());
        Assert.Equal("paid", (await Expect.Json(await customer.Client.GetAsync($"/api/v1/orders/{orderId}"))).GetProperty("status").GetString());

        var refundedBefore = await PaymentsCountedAsync("refunded");
        await Expect.Status(await admin.Client.PostAsync($"/api/v1/payments/{paymentId}/refunds", null), HttpStatusCode.Accepted);
        var full = await customer.SettledAsync(paymentId, until: "refunded");
        Assert.Equal(60m, full.GetProperty("refundedAmount").GetDecimal());
        var refundedOrder = await customer.OrderWhenAsync(orderId, "refunded");
        Assert.Equal("Refunded 60 USD.", refundedOrder.GetProperty("statusHistory").EnumerateArray().Last().GetProperty("note").GetString());
        await CountedAsync("refunded", refundedBefore);
        Assert.Equal(10, (await admin.InventoryAsync(product)).GetProperty("onHand").GetInt32());
        await Expect.Problem(await admin.Client.PostAsync($"/api/v1/payments/{paymentId}/refunds", null), HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task A_refund_retried_with_its_idempotency_key_is_made_once()
    {
        var (admin, customer, _, orderId) = await PendingOrderAsync(quantity: 2, price: 25m);
        var paymentId = (await Expect.Json(await customer.PayAsync(orderId, SandboxProvider.Visa), HttpStatusCode.Accepted)).GetProperty("id").GetGuid();
        await customer.SettledAsync(paymentId);
        HttpRequestMessage Refund(object body, string key)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/payments/{paymentId}/refunds") { Content = JsonContent.Create(body) };
            request.Headers.Add("Idempotency-Key", key);
            return request;
        }

        var first = await Expect.Json(await admin.Client.SendAsync(Refund(new { amount = 10m }, "refund-1")), HttpStatusCode.Accepted);
        var retried = await admin.Client.SendAsync(Refund(new { amount = 10m }, "refund-1"));
        Assert.Equal(first.GetProperty("id").GetGuid(), (await Expect.Json(retried, HttpStatusCode.Accepted)).GetProperty("id").GetGuid());
        Assert.Equal("true", retried.Headers.GetValues("Idempotent-Replayed").Single());
        await Expect.Problem(await admin.Client.SendAsync(Refund(new { amount = 15m }, "refund-1")), HttpStatusCode.UnprocessableEntity);
        await Expect.Status(await admin.Client.SendAsync(Refund(new { amount = 15m }, "refund-2")), HttpStatusCode.Accepted);

        await Expect.ValidationError(await admin.Client.SendAsync(Refund(new { amount = 1m }, new string('k', 256))), "Idempotency-Key");

        // Eight retries of one key at the same moment: one more refund, whatever they answer.
        var retries = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => admin.Client.SendAsync(Refund(new { amount = 5m }, "refund-3"))));
        Assert.All(retries, r => Assert.Contains(r.StatusCode, new[] { HttpStatusCode.Accepted, HttpStatusCode.Conflict }));
        await using var db = shop.OpenContext();
        Assert.Equal([500L, 1000L, 1500L], (await db.PaymentRefunds.Where(r => r.PaymentId == paymentId).Select(r => r.AmountMinor).ToListAsync()).Order());
    }

    [Fact]
    public async Task A_refund_the_provider_declines_is_failed_and_the_payment_keeps_its_money()
    {
        var (admin, customer, _, orderId) = await PendingOrderAsync(quantity: 1, price: 40m);
        // Paid through a webhook for a charge the sandbox has no record of, so it declines any refund of it.
        var paymentId = await shop.InsertPendingPaymentAsync(orderId, customer.Id, "tok_external");
        var paid = new { id = $"evt_{Guid.NewGuid():N}", type = "charge.succeeded", data = new { paymentId, reference = "ch_unknown" } };
        await Expect.Status(await shop.Client().SendAsync(PaymentApi.Webhook(paid)), HttpStatusCode.OK);
        await customer.OrderWhenAsync(orderId, "paid");

        var refundId = (await Expect.Json(await admin.Client.PostAsJsonAsync($"/api/v1/payments/{paymentId}/refunds", new { amount = 15m }), HttpStatusCode.Accepted))
            .GetProperty("id").GetGuid();
        await shop.InvokeAsync(new ProcessRefund(refundId)); // the refund is decided once this returns, here or by the worker

        await using (var db = shop.OpenContext())
        {
            var refund = await db.PaymentRefunds.SingleAsync(r => r.Id == refundId);
            Assert.Equal((RefundStatuses.Failed, "no_such_charge"), (refund.Status, refund.FailureReason));
        }

        var payment = await Expect.Json(await customer.Client.GetAsync($"/api/v1/payments/{paymentId}"));
        Assert.Equal("succeeded", payment.GetProperty("status").GetString());
        Assert.Equal(0m, payment.GetProperty("refundedAmount").GetDecimal());
        Assert.Equal("paid", (await Expect.Json(await customer.Client.GetAsync($"/api/v1/orders/{orderId}"))).GetProperty("status").GetString());
        // A failed refund holds nothing back: all 40 can still be refunded.
        var rest = await Expect.Json(await admin.Client.PostAsync($"/api/v1/payments/{paymentId}/refunds", null), HttpStatusCode.Accepted);
        Assert.Equal(40m, rest.GetProperty("amount").GetDecimal());
    }

    [Fact]
    public async Task Refunds_not_yet_sent_count_against_what_is_left_to_refund()
    {
        var (admin, customer, _, orderId) = await PendingOrderAsync(quantity: 2, price: 25m);
        var paymentId = (await Expect.Json(await customer.PayAsync(orderId, SandboxProvider.Visa), HttpStatusCode.Accepted)).GetProperty("id").GetGuid();
        await customer.SettledAsync(paymentId);
        // A refund of 40 of the 50, recorded and not yet sent to the provider.
        await using (var db = shop.OpenContext())
        {
            db.PaymentRefunds.Add(new PaymentRefund { PaymentId = paymentId, AmountMinor = 4000, Reason = "Not sent yet.", CreatedAt = DateTime.UtcNow, UpdatedAt = DateTime.UtcNow });
            await db.SaveChangesAsync();
        }

        var tooMuch = await Expect.Problem(await admin.Client.PostAsJsonAsync($"/api/v1/payments/{paymentId}/refunds", new { amount = 10.01m }), HttpStatusCode.Conflict);
        Assert.EndsWith("refund-exceeds-payment", tooMuch.GetProperty("type").GetString(), StringComparison.Ordinal);
        Assert.StartsWith("At most 10 USD ", tooMuch.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var rest = await Expect.Json(await admin.Client.PostAsync($"/api/v1/payments/{paymentId}/refunds", null), HttpStatusCode.Accepted);
        Assert.Equal(10m, rest.GetProperty("amount").GetDecimal());

        // Nothing is left, though nothing may have been refunded yet.
        var nothingLeft = await Expect.Problem(await admin.Client.PostAsync($"/api/v1/payments/{paymentId}/refunds", null), HttpStatusCode.Conflict);
        Assert.StartsWith("At most 0 USD ", nothingLeft.GetProperty("detail").GetString(), StringComparison.Ordinal);

        // The 10 is refunded; the refund not sent is still waiting, untouched by the other's outcome.
        var restId = rest.GetProperty("id").GetGuid();
        await Eventually.Until($"payment {paymentId} to have 10 refunded", async () => await Expect.Json(await customer.Client.GetAsync($"/api/v1/payments/{paymentId}")),
            p => p.GetProperty("refundedAmount").GetDecimal() == 10m, TimeSpan.FromSeconds(30));
        // A redelivery of the message changes nothing and does not ask the provider again.
        await shop.InvokeAsync(new ProcessRefund(restId));
        await using var db2 = shop.OpenContext();
        var refunds = await db2.PaymentRefunds.AsNoTracking().Where(r => r.PaymentId == paymentId).ToDictionaryAsync(r => r.AmountMinor);
        Assert.Equal(RefundStatuses.Pending, refunds[4000].Status);
        Assert.Equal(RefundStatuses.Succeeded, refunds[1000].Status);
        Assert.StartsWith("re_", refunds[1000].ProviderReference, StringComparison.Ordinal);
        var key = restId.ToString("N");
        Assert.Equal(1, (await db2.SandboxLedger.SingleAsync(e => e.Kind == "refund" && e.IdempotencyKey == key)).Calls);
        Assert.Equal(10m, (await Expect.Json(await customer.Client.GetAsync($"/api/v1/payments/{paymentId}"))).GetProperty("refundedAmount").GetDecimal());
    }

    [Fact]
    public async Task Only_a_succeeded_payment_can_be_refunded()
    {
        var (admin, customer, _, orderId) = await PendingOrderAsync();
        var paymentId = (await Expect.Json(await customer.PayAsync(orderId, SandboxProvider.Declined), HttpStatusCode.Accepted)).GetProperty("id").GetGuid();
        Assert.Equal("failed", (await customer.SettledAsync(paymentId)).GetProperty("status").GetString());

        var refused = await Expect.Problem(await admin.Client.PostAsync($"/api/v1/payments/{paymentId}/refunds", null), HttpStatusCode.Conflict);
        Assert.EndsWith("payment-not-refundable", refused.GetProperty("type").GetString(), StringComparison.Ordinal);
        await Expect.Problem(await admin.Client.PostAsync($"/api/v1/payments/{Guid.NewGuid()}/refunds", null), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Cancelling_a_paid_order_refunds_it_in_the_background()
    {
        var (admin, customer, product, orderId) = await PendingOrderAsync(quantity: 3);
        var paymentId = (await Expect.Json(await customer.PayAsync(orderId, SandboxProvider.Visa), HttpStatusCode.Accepted)).GetProperty("id").GetGuid();
        await customer.SettledAsync(paymentId);
        await customer.OrderWhenAsync(orderId, "paid");

        await Expect.Status(await customer.Client.PostAsync($"/api/v1/orders/{orderId}/cancel", null), HttpStatusCode.OK);

        var refunded = await customer.SettledAsync(paymentId, until: "refunded");
        Assert.Equal(refunded.GetProperty("amount").GetDecimal(), refunded.GetProperty("refundedAmount").GetDecimal());
        Assert.Equal("cancelled", (await Expect.Json(await customer.Client.GetAsync($"/api/v1/orders/{orderId}"))).GetProperty("status").GetString());
        Assert.Equal(10, (await admin.InventoryAsync(product)).GetProperty("onHand").GetInt32());
    }

    [Fact]
    public async Task A_payment_whose_order_was_cancelled_before_its_turn_fails_without_charging_the_card()
    {
        var (admin, customer, product, orderId) = await PendingOrderAsync(quantity: 2);
        // Accepted, but not yet processed (as if the worker were behind) when the customer cancels.
        var paymentId = await shop.InsertPendingPaymentAsync(orderId, customer.Id, SandboxProvider.Visa);
        await Expect.Status(await customer.Client.PostAsync($"/api/v1/orders/{orderId}/cancel", null), HttpStatusCode.OK);

        await shop.InvokeAsync(new ProcessPayment(paymentId));

        var payment = await Expect.Json(await customer.Client.GetAsync($"/api/v1/payments/{paymentId}"));
        Assert.Equal("failed", payment.GetProperty("status").GetString());
        Assert.Equal(PaymentProcessor.OrderNotPayable, payment.GetProperty("failureReason").GetString());
        await using var db = shop.OpenContext();
        Assert.False(await db.SandboxLedger.AnyAsync(e => e.IdempotencyKey == paymentId.ToString("N")), "the card was charged for a cancelled order");
        Assert.Equal(0, (await admin.InventoryAsync(product)).GetProperty("reserved").GetInt32());
    }

    [Fact]
    public async Task A_payment_charged_before_a_crash_is_refunded_not_failed_when_its_order_was_cancelled_meanwhile()
    {
        var (admin, customer, product, orderId) = await PendingOrderAsync(quantity: 2);
        var paymentId = await shop.InsertPendingPaymentAsync(orderId, customer.Id, SandboxProvider.Visa);
        // The first attempt charged the card, then its process died before recording the outcome.
        await using (var scope = shop.Services.CreateAsyncScope())
        {
            await using var db = shop.OpenContext();
            await db.Payments.Where(p => p.Id == paymentId).ExecuteUpdateAsync(u => u.SetProperty(p => p.Attempts, 1));
            var payment = await db.Payments.SingleAsync(p => p.Id == paymentId);
            var charged = await scope.ServiceProvider.GetRequiredService<IPaymentProvider>()
                .ChargeAsync(new ChargeRequest(paymentId.ToString("N"), payment.AmountMinor, payment.Currency, SandboxProvider.Visa), CancellationToken.None);
            Assert.True(charged.Succeeded);
        }

        await Expect.Status(await customer.Client.PostAsync($"/api/v1/orders/{orderId}/cancel", null), HttpStatusCode.OK);
        await shop.InvokeAsync(new ProcessPayment(paymentId));

        // The money taken is given back; the card was charged once.
        var refunded = await customer.SettledAsync(paymentId, until: "refunded");
        Assert.Equal(refunded.GetProperty("amount").GetDecimal(), refunded.GetProperty("refundedAmount").GetDecimal());
        Assert.Equal(1, await LedgerCountAsync(paymentId, "succeeded"));
        Assert.Equal("cancelled", (await Expect.Json(await customer.Client.GetAsync($"/api/v1/orders/{orderId}"))).GetProperty("status").GetString());
        Assert.Equal(0, (await admin.InventoryAsync(product)).GetProperty("reserved").GetInt32());
        await using var db2 = shop.OpenContext();
        var refund = await db2.PaymentRefunds.SingleAsync(r => r.PaymentId == paymentId);
        Assert.Equal(((long)(refunded.GetProperty("amount").GetDecimal() * 100), "Order was cancelled when the payment completed."), (refund.AmountMinor, refund.Reason));
    }

    [Fact]
    public async Task Marking_a_paid_order_refunded_refunds_its_payment()
    {
        var (admin, customer, _, orderId) = await PendingOrderAsync(quantity: 1);
        var paymentId = (await Expect.Json(await customer.PayAsync(orderId, SandboxProvider.Visa), HttpStatusCode.Accepted)).GetProperty("id").GetGuid();
        await customer.OrderWhenAsync(orderId, "paid");

        await admin.MoveAsync(orderId, "refunded");

        var refunded = await customer.SettledAsync(paymentId, until: "refunded");
        Assert.Equal(refunded.GetProperty("amount").GetDecimal(), refunded.GetProperty("refundedAmount").GetDecimal());
        Assert.Equal("refunded", (await Expect.Json(await customer.Client.GetAsync($"/api/v1/orders/{orderId}"))).GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_refund_whose_message_was_lost_is_driven_to_an_outcome_by_the_redrive_job()
    {
        var (_, customer, _, orderId) = await PendingOrderAsync(quantity: 1);
        var paymentId = (await Expect.Json(await customer.PayAsync(orderId, SandboxProvider.Visa), HttpStatusCode.Accepted)).GetProperty("id").GetGuid();
        await customer.SettledAsync(paymentId);
        // A refund recorded ten minutes ago whose ProcessRefund message never arrived.
        await using (var db = shop.OpenContext())
        {
            var longAgo = DateTime.UtcNow.AddMinutes(-10);
            var payment = await db.Payments.SingleAsync(p => p.Id == paymentId);
            db.PaymentRefunds.Add(new PaymentRefund { PaymentId = paymentId, AmountMinor = payment.AmountMinor, Reason = "Lost message.", CreatedAt = longAgo, UpdatedAt = longAgo });
            await db.SaveChangesAsync();
        }

        await shop.InvokeAsync(new Core.Jobs.RedriveStuckPayments(DateTimeOffset.UtcNow));

        await customer.SettledAsync(paymentId, until: "refunded");
        await customer.OrderWhenAsync(orderId, "refunded");
    }

    [Fact]
    public async Task An_order_paid_after_it_was_found_due_is_not_expired()
    {
        var (_, customer, _, orderId) = await PendingOrderAsync(quantity: 1);
        var paymentId = (await Expect.Json(await customer.PayAsync(orderId, SandboxProvider.Visa), HttpStatusCode.Accepted)).GetProperty("id").GetGuid();
        await customer.SettledAsync(paymentId);
        await customer.OrderWhenAsync(orderId, "paid");

        // The expiry job picked the order while it was unpaid, and reaches it now.
        await using (var scope = shop.Services.CreateAsyncScope())
        {
            Assert.False(await scope.ServiceProvider.GetRequiredService<Core.Orders.OrderService>().ExpireAsync(orderId, TimeSpan.FromMinutes(30), CancellationToken.None));
        }

        Assert.Equal("paid", (await Expect.Json(await customer.Client.GetAsync($"/api/v1/orders/{orderId}"))).GetProperty("status").GetString());
        Assert.Equal("succeeded", (await Expect.Json(await customer.Client.GetAsync($"/api/v1/payments/{paymentId}"))).GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_signed_webhook_is_applied_once_and_bad_ones_are_400()
    {
        var (_, customer, _, orderId) = await PendingOrderAsync();
        // A payment the worker has not charged: as if the provider confirmed it asynchronously.
        var paymentId = await shop.InsertPendingPaymentAsync(orderId, customer.Id, "tok_external");

        var eventId = $"evt_{Guid.NewGuid():N}";
        var body = new { id = eventId, type = "charge.succeeded", data = new { paymentId, reference = "ch_external_1" } };
        var client = shop.Client();

        await Expect.ValidationError(await client.SendAsync(PaymentApi.Webhook(body, tamper: b => PaymentApi.Utf8(System.Text.Encoding.UTF8.GetString(b).Replace("ch_external_1", "ch_forged", StringComparison.Ordinal)))), "Shop-Signature");
        await Expect.ValidationError(await client.SendAsync(PaymentApi.Webhook(body, at: DateTimeOffset.UtcNow.AddMinutes(-6))), "Shop-Signature");
        await Expect.ValidationError(await client.SendAsync(PaymentApi.Webhook(body, secret: "whsec_wrong")), "Shop-Signature");
        // A timestamp past the year 9999 is refused like any other, not a 500.
        var farFuture = PaymentApi.Webhook(body);
        farFuture.Headers.Remove("Shop-Signature");
        farFuture.Headers.TryAddWithoutValidation("Shop-Signature", "t=999999999999,v1=00");
        await Expect.ValidationError(await client.SendAsync(farFuture), "Shop-Signature");
        var unsigned = PaymentApi.Webhook(body);
        unsigned.Headers.Remove("Shop-Signature");
        await Expect.ValidationError(await client.SendAsync(unsigned), "Shop-Signature");
        await Expect.Problem(await client.SendAsync(PaymentApi.Webhook(body, provider: "Stripe")), HttpStatusCode.NotFound);
        Assert.Equal("pending", (await Expect.Json(await customer.Client.GetAsync($"/api/v1/payments/{paymentId}"))).GetProperty("status").GetString());

        var applied = await Expect.Json(await client.SendAsync(PaymentApi.Webhook(body)));
        Assert.Equal("applied", applied.GetProperty("result").GetString());
        var payment = await Expect.Json(await customer.Client.GetAsync($"/api/v1/payments/{paymentId}"));
        Assert.Equal("succeeded", payment.GetProperty("status").GetString());
        Assert.Equal("ch_external_1", payment.GetProperty("providerReference").GetString());
        await customer.OrderWhenAsync(orderId, "paid");

        var replayed = await Expect.Json(await client.SendAsync(PaymentApi.Webhook(body)));
        Assert.Equal("duplicate", replayed.GetProperty("result").GetString());
        var failed = new { id = $"evt_{Guid.NewGuid():N}", type = "charge.failed", data = new { paymentId, failureReason = "card_declined" } };
        await Expect.Status(await client.SendAsync(PaymentApi.Webhook(failed)), HttpStatusCode.OK);
        Assert.Equal("succeeded", (await Expect.Json(await customer.Client.GetAsync($"/api/v1/payments/{paymentId}"))).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Recording_an_outcome_decides_that_one_payment_once()
    {
        var (_, customer, _, orderId) = await PendingOrderAsync(quantity: 1);
        var (_, other, _, otherOrderId) = await PendingOrderAsync(quantity: 1);
        // Two payments awaiting their outcome (as if the provider would report it by webhook).
        var paymentId = await shop.InsertPendingPaymentAsync(orderId, customer.Id, "tok_external");
        var otherId = await shop.InsertPendingPaymentAsync(otherOrderId, other.Id, "tok_external");

        await using (var scope = shop.Services.CreateAsyncScope())
        {
            var processor = scope.ServiceProvider.GetRequiredService<PaymentProcessor>();
            Assert.True(await processor.RecordFailedAsync(paymentId, "card_declined", CancellationToken.None));
            Assert.False(await processor.RecordSucceededAsync(paymentId, "ch_late", CancellationToken.None));
            Assert.False(await processor.RecordFailedAsync(paymentId, "expired_card", CancellationToken.None));
        }

        var failed = await Expect.Json(await customer.Client.GetAsync($"/api/v1/payments/{paymentId}"));
        Assert.Equal(("failed", "card_declined"), (failed.GetProperty("status").GetString(), failed.GetProperty("failureReason").GetString()));
        Assert.Equal("pending", (await Expect.Json(await other.Client.GetAsync($"/api/v1/payments/{otherId}"))).GetProperty("status").GetString());

        await using (var scope = shop.Services.CreateAsyncScope())
        {
            var processor = scope.ServiceProvider.GetRequiredService<PaymentProcessor>();
            Assert.True(await processor.RecordSucceededAsync(otherId, "ch_other", CancellationToken.None));
            Assert.False(await processor.RecordFailedAsync(otherId, "card_declined", CancellationToken.None));
        }

        Assert.Equal("succeeded", (await Expect.Json(await other.Client.GetAsync($"/api/v1/payments/{otherId}"))).GetProperty("status").GetString());
        await other.OrderWhenAsync(otherOrderId, "paid");
        Assert.Equal("failed", (await Expect.Json(await customer.Client.GetAsync($"/api/v1/payments/{paymentId}"))).GetProperty("status").GetString());
        Assert.Equal("pending_payment", (await Expect.Json(await customer.Client.GetAsync($"/api/v1/orders/{orderId}"))).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Crossing_the_low_stock_threshold_emails_the_admins()
    {
        var admin = await shop.AdminAsync();
        var customer = await shop.NewUserAsync();
        var product = await admin.CreateProductAsync();
        await admin.SetStockAsync(product, 7, lowStockThreshold: 5);
        var sku = (await Expect.Json(await admin.Client.GetAsync($"/api/v1/products/{product}"))).GetProperty("sku").GetString()!;

        await customer.PlaceOrderAsync((product, 1)); // 6 available: still above
        await customer.PlaceOrderAsync((product, 2)); // 4 available: crossed

        var email = await shop.Smtp.WaitForAsync(m => (m.Subject ?? "").Contains(sku, StringComparison.Ordinal));
        Assert.Contains(ShopFactory.AdminEmail, email.To.ToString(), StringComparison.OrdinalIgnoreCase);
        Assert.Contains("4 available", email.TextBody, StringComparison.Ordinal);
        await Task.Delay(500);
        Assert.Single(shop.Smtp.Messages, m => (m.Subject ?? "").Contains(sku, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_handler_that_keeps_failing_is_retried_then_dead_lettered_and_the_order_stays_consistent()
    {
        var admin = await shop.AdminAsync();
        var product = await admin.CreateProductAsync(onHand: 5);
        // The SMTP server refuses this mailbox every time: the confirmation email can never be sent.
        var email = $"{TestSmtpServer.RejectedPrefix}{Guid.NewGuid():N}@example.com";
        var customer = await ShopFactory.RegisterAsync(shop.Client(), email);
        var before = await DeadLettersAsync("OrderPaid");
        var orderId = (await customer.PlaceOrderAsync((product, 2))).GetProperty("id").GetGuid();

        var paymentId = (await Expect.Json(await customer.PayAsync(orderId, SandboxProvider.Visa), HttpStatusCode.Accepted)).GetProperty("id").GetGuid();

        Assert.Equal("succeeded", (await customer.SettledAsync(paymentId)).GetProperty("status").GetString());
        await customer.OrderWhenAsync(orderId, "paid");
        await Eventually.Until("OrderPaid to be dead-lettered", () => DeadLettersAsync("OrderPaid"), deadLetters => deadLetters != before, TimeSpan.FromSeconds(30));
        Assert.Equal(before + 1, await DeadLettersAsync("OrderPaid"));
        // Counted on /metrics too: the failure and the dead letter.
        var metrics = await (await shop.Client().GetAsync("/metrics")).Content.ReadAsStringAsync();
        Assert.True(Loopback.MetricValue(metrics, "shop_background_job_failures_total{message_type=\"Shop.Core.Events.OrderPaid\"}") >= 1, metrics);
        Assert.True(Loopback.MetricValue(metrics, "shop_dead_letters_total{message_type=\"Shop.Core.Events.OrderPaid\"}") >= 1, metrics);
        // The failure stayed in the email: the order, the payment and the stock are as they should be.
        Assert.Equal("paid", (await Expect.Json(await customer.Client.GetAsync($"/api/v1/orders/{orderId}"))).GetProperty("status").GetString());
        var stock = await admin.InventoryAsync(product);
        Assert.Equal(3, stock.GetProperty("onHand").GetInt32());
        Assert.Equal(0, stock.GetProperty("reserved").GetInt32());
        Assert.DoesNotContain(shop.Smtp.Messages, m => m.To.ToString().Contains(email, StringComparison.OrdinalIgnoreCase));
    }

    private async Task<long> DeadLettersAsync(string messageType)
    {
        await using var db = shop.OpenContext();
        var table = shop.Provider == "Postgres" ? "wolverine.wolverine_dead_letters" : "wolverine_dead_letters";
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT count(*) FROM {table} WHERE message_type LIKE '%{messageType}%'";
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}

[Collection(SqliteCollection.Name)]
public sealed class PaymentTestsOnSqlite(SqliteShop shop) : PaymentTests(shop);

[Collection(PostgresCollection.Name), Trait("Category", "Postgres")]
public sealed class PaymentTestsOnPostgres(PostgresShop shop) : PaymentTests(shop);
