using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Shop.IntegrationTests.Infrastructure;

namespace Shop.IntegrationTests;

/// <summary>Redis is a cache, not a dependency the API may fail on: with it configured but unreachable, everything still answers.</summary>
public sealed class RedisOutageTests
{
    [Fact]
    public async Task With_redis_unreachable_the_api_answers_from_the_database_and_reports_redis_degraded()
    {
        // A loopback port nothing listens on: connections are refused at once, as when Redis is down.
        var nowhere = $"127.0.0.1:{Loopback.FreePort()}";
        await using var api = await RunningApi.StartAsync(new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["ConnectionStrings__Redis"] = nowhere,
        });
        using var client = api.Client();

        var ready = await Expect.Json(await client.GetAsync("/health/ready"));
        Assert.Equal("Degraded", ready.GetProperty("status").GetString());
        Assert.Equal("Degraded", ready.GetProperty("checks").GetProperty("redis").GetProperty("status").GetString());
        Assert.Equal("Healthy", ready.GetProperty("checks").GetProperty("database").GetProperty("status").GetString());

        // Signed-in requests read the user's status through the cache on every call.
        var email = $"redis-down-{Guid.NewGuid():N}@example.com";
        await Expect.Status(await client.PostAsJsonAsync("/api/v1/auth/register", new { email, password = "redis-down-1", fullName = "Ann" }), HttpStatusCode.Created);
        var tokens = await Expect.Json(await client.PostAsJsonAsync("/api/v1/auth/login", new { email, password = "redis-down-1" }));
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", tokens.GetProperty("accessToken").GetString());
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(email, (await Expect.Json(await client.GetAsync("/api/v1/users/me"))).GetProperty("email").GetString());
        }

        await Expect.Status(await client.GetAsync("/api/v1/products"), HttpStatusCode.OK);
    }
}
