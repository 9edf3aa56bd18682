using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Shop.IntegrationTests.Infrastructure;

public static class OrderApi
{
    public static readonly object Address = new
    {
        fullName = "Ada Lovelace", line1 = "12 St James's Square", line2 = (string?)null, city = "London", region = (string?)null, postalCode = "SW1Y 4JH", country = "GB",
    };

    public static object Body(params (Guid ProductId, int Quantity)[] lines) => new
    {
        items = lines.Select(l => new { productId = l.ProductId, quantity = l.Quantity }).ToArray(),
        shippingAddress = Address,
    };

    public static Task<HttpResponseMessage> PlaceAsync(this TestUser user, object body, string? idempotencyKey = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/orders") { Content = JsonContent.Create(body) };
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return user.Client.SendAsync(request);
    }

    public static async Task<JsonElement> PlaceOrderAsync(this TestUser user, params (Guid ProductId, int Quantity)[] lines) =>
        await Expect.Json(await user.PlaceAsync(Body(lines)), HttpStatusCode.Created);

    public static async Task<JsonElement> MoveAsync(this TestUser admin, Guid orderId, string status, HttpStatusCode expected = HttpStatusCode.OK)
    {
        object body = status == "shipped"
            ? new { status, carrier = "DHL", trackingNumber = "JD0146000012345", note = "Left the warehouse." }
            : new { status };
        var response = await admin.Client.PatchAsJsonAsync($"/api/v1/orders/{orderId}/status", body);
        return expected == HttpStatusCode.OK ? await Expect.Json(response) : await Expect.Problem(response, expected);
    }
}
