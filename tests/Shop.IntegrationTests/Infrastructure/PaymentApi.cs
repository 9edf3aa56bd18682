using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Shop.Core.Payments;

namespace Shop.IntegrationTests.Infrastructure;

public static class PaymentApi
{
    public static Task<HttpResponseMessage> PayAsync(this TestUser user, Guid orderId, string token, string? key = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/payments") { Content = JsonContent.Create(new { orderId, paymentToken = token }) };
        request.Headers.Add("Idempotency-Key", key ?? $"pay-{Guid.NewGuid():N}");
        return user.Client.SendAsync(request);
    }

    /// <summary>Polls the payment (bounded) until it is no longer pending, and returns it.</summary>
    public static async Task<JsonElement> SettledAsync(this TestUser user, Guid paymentId, string until = "settled", TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        JsonElement payment = default;
        while (DateTime.UtcNow < deadline)
        {
            payment = await Expect.Json(await user.Client.GetAsync($"/api/v1/payments/{paymentId}"));
            var status = payment.GetProperty("status").GetString();
            if (until == "settled" ? status != "pending" : status == until)
            {
                return payment;
            }

            await Task.Delay(100);
        }

        throw new Xunit.Sdk.XunitException($"Payment {paymentId} did not reach '{until}' in time: {payment}");
    }

    public static async Task<JsonElement> OrderWhenAsync(this TestUser user, Guid orderId, string status, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        JsonElement order = default;
        while (DateTime.UtcNow < deadline)
        {
            order = await Expect.Json(await user.Client.GetAsync($"/api/v1/orders/{orderId}"));
            if (order.GetProperty("status").GetString() == status)
            {
                return order;
            }

            await Task.Delay(100);
        }

        throw new Xunit.Sdk.XunitException($"Order {orderId} did not reach '{status}' in time: {order}");
    }

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
