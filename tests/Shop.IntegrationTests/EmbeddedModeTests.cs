using System.Net;
using System.Net.Http.Json;
using Shop.IntegrationTests.Infrastructure;

namespace Shop.IntegrationTests;

/// <summary>
/// The README's first command, as a newcomer runs it: the API in Development with nothing
/// configured (SQLite file, local queues, a generated signing key) serves the shop.
/// </summary>
public sealed class EmbeddedModeTests
{
    [Fact]
    public async Task With_nothing_configured_the_api_starts_and_serves_the_shop()
    {
        await using var api = await RunningApi.StartAsync(new Dictionary<string, string> { ["ASPNETCORE_ENVIRONMENT"] = "Development" });
        using var client = api.Client();

        await Expect.Status(await client.GetAsync("/health/ready"), HttpStatusCode.OK);
        Assert.Equal(0, (await Expect.Json(await client.GetAsync("/api/v1/products"))).GetProperty("totalCount").GetInt32());
        var email = $"first-{Guid.NewGuid():N}@example.com";
        await Expect.Status(await client.PostAsJsonAsync("/api/v1/auth/register", new { email, password = "first-user-1", fullName = "First" }), HttpStatusCode.Created);
        await Expect.Status(await client.PostAsJsonAsync("/api/v1/auth/login", new { email, password = "first-user-1" }), HttpStatusCode.OK);

        // No Payments:WebhookSecret by default: no webhook can carry a valid signature (400, not 404).
        var webhook = PaymentApi.Webhook(new { id = "evt_1", type = "charge.succeeded", data = new { paymentId = Guid.NewGuid(), reference = "ch_1" } });
        await Expect.ValidationError(await client.SendAsync(webhook), "Shop-Signature");
        Assert.True(File.Exists(Path.Combine(api.Directory, "shop.db")), "the default database is shop.db in the content root");
    }
}
