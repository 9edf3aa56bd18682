using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Shop.IntegrationTests.Infrastructure;

public static class CartApi
{
    public static object Address(string country, string city = "Town") => new
    {
        fullName = "Grace Hopper", line1 = "1 Harbour Road", line2 = (string?)null, city, region = (string?)null, postalCode = "1010", country,
    };

    public static async Task<Guid> NewCartAsync(this HttpClient client) =>
        (await Expect.Json(await client.PostAsJsonAsync("/api/v1/carts", new { }), HttpStatusCode.Created)).GetProperty("id").GetGuid();

    public static async Task<JsonElement> AddAsync(this HttpClient client, Guid cartId, object item, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var response = await client.PostAsJsonAsync($"/api/v1/carts/{cartId}/items", item);
        return expected == HttpStatusCode.OK ? await Expect.Json(response) : await Expect.Problem(response, expected);
    }

    /// <summary>PATCH with the fields given: keys are wire names, so null values are sent as null (not left out).</summary>
    public static Task<HttpResponseMessage> PatchCartAsync(this HttpClient client, Guid cartId, Dictionary<string, object?> fields) =>
        client.PatchAsJsonAsync($"/api/v1/carts/{cartId}", fields);

    public static Task<HttpResponseMessage> CheckoutAsync(this HttpClient client, Guid cartId, string? idempotencyKey = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/carts/{cartId}/checkout");
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return client.SendAsync(request);
    }

    public static async Task<Guid> CreateShippingMethodAsync(this TestUser admin, string name, decimal price, string[]? countries = null, decimal? freeAboveSubtotal = null) =>
        (await Expect.Json(await admin.Client.PostAsJsonAsync("/api/v1/shipping-methods", new { name, price, countries, freeAboveSubtotal }), HttpStatusCode.Created))
            .GetProperty("id").GetGuid();

    public static async Task<JsonElement> CreateDiscountAsync(this TestUser admin, object body) =>
        await Expect.Json(await admin.Client.PostAsJsonAsync("/api/v1/discounts", body), HttpStatusCode.Created);

    public static async Task SetTaxRateAsync(this TestUser admin, string country, decimal rate, bool appliesToShipping) =>
        await Expect.Status(await admin.Client.PutAsJsonAsync($"/api/v1/tax-rates/{country}", new { rate, name = "VAT", appliesToShipping }), HttpStatusCode.OK);

    public static string NewCode() => $"T{Guid.NewGuid():N}"[..16].ToUpperInvariant();

    public static decimal Money(this JsonElement e, string property) => e.GetProperty(property).GetDecimal();
}
