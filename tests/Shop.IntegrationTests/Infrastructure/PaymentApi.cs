using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Shop.Core.Payments;

namespace Shop.IntegrationTests.Infrastructure;

public static class PaymentApi
{
    /// <param name="traceparent">The caller's W3C trace context, when the test follows the payment's trace.</param>
    public static Task<HttpResponseMessage> PayAsync(this TestUser user, Guid orderId, string token, string? key = null, string? traceparent = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/payments") { Content = JsonContent.Create(new { orderId, paymentToken = token }) };
        request.Headers.Add("Idempotency-Key", key ?? $"pay-{Guid.NewGuid():N}");
        if (traceparent is not null)
        {
            request.Headers.Add("traceparent", traceparent);
        }

        return user.Client.SendAsync(request);
    }

    /// <summary>Polls the payment until it is no longer pending (or, given <paramref name="until"/>, has that status), and returns it.</summary>
    public static Task<JsonElement> SettledAsync(this TestUser user, Guid paymentId, string until = "settled", TimeSpan? timeout = null) =>
        Eventually.Until($"payment {paymentId} to be {until}",
            async () => await Expect.Json(await user.Client.GetAsync($"/api/v1/payments/{paymentId}")),
            payment => payment.GetProperty("status").GetString() is var status && (until == "settled" ? status != "pending" : status == until),
            timeout ?? TimeSpan.FromSeconds(30));

    /// <summary>Polls the order until it has this status, and returns it.</summary>
    public static Task<JsonElement> OrderWhenAsync(this TestUser user, Guid orderId, string status, TimeSpan? timeout = null) =>
        Eventually.Until($"order {orderId} to be {status}",
            async () => await Expect.Json(await user.Client.GetAsync($"/api/v1/orders/{orderId}")),
            order => order.GetProperty("status").GetString() == status,
            timeout ?? TimeSpan.FromSeconds(30));

    public static HttpRequestMessage Webhook(object body, string secret = ShopFactory.WebhookSecret, DateTimeOffset? at = null, string provider = "Sandbox", Func<byte[], byte[]>? tamper = null)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(body, JsonSerializerOptions.Web);
        var signature = WebhookSignature.Sign(secret, at ?? DateTimeOffset.UtcNow, bytes);
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/payments/webhooks/{provider}")
        {
            Content = new ByteArrayContent(tamper?.Invoke(bytes) ?? bytes) { Headers = { ContentType = new("application/json") } },
        };
        request.Headers.TryAddWithoutValidation(WebhookSignature.Header, signature);
        return request;
    }

    public static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);
}
