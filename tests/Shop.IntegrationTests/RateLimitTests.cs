using System.Net;
using System.Net.Http.Json;
using Shop.IntegrationTests.Infrastructure;

namespace Shop.IntegrationTests;

/// <summary>The production limits (5 failures per account, 20 per address, 20 registrations per hour per address).</summary>
public abstract class RateLimitTests(ShopFactory shop)
{
    [Fact]
    public async Task Fifty_failed_logins_in_a_row_turn_into_429_with_Retry_After_and_lock_out_the_right_password_too()
    {
        var user = await shop.NewUserAsync();
        var attacker = shop.Client();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 50; i++)
        {
            var response = await attacker.PostAsJsonAsync("/api/v1/auth/login", new { email = user.Email, password = $"guess-{i}" });
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                await Expect.Problem(response, HttpStatusCode.TooManyRequests);
                Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero, "429 without a Retry-After delta");
            }
        }

        Assert.All(statuses.Take(5), s => Assert.Equal(HttpStatusCode.Unauthorized, s));
        Assert.All(statuses.Skip(5), s => Assert.Equal(HttpStatusCode.TooManyRequests, s));

        // The account is locked for this window, from any address, even with the right password.
        await Expect.Problem(await shop.Client().PostAsJsonAsync("/api/v1/auth/login", new { email = user.Email, password = user.Password }), HttpStatusCode.TooManyRequests);
        // Its existing session still works, and other accounts are not affected.
        await Expect.Status(await user.Client.GetAsync("/api/v1/users/me"), HttpStatusCode.OK);
        await shop.NewUserAsync();
    }

    [Fact]
    public async Task Failed_logins_across_many_accounts_from_one_address_are_limited_per_address()
    {
        var address = TestClientAddressFilter.RandomAddress();
        var attacker = shop.Client(address);
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 25; i++)
        {
            var response = await attacker.PostAsJsonAsync("/api/v1/auth/login", new { email = $"nobody-{i}-{Guid.NewGuid():N}@example.com", password = "guess-guess" });
            statuses.Add(response.StatusCode);
        }

        Assert.All(statuses.Take(20), s => Assert.Equal(HttpStatusCode.Unauthorized, s));
        Assert.All(statuses.Skip(20), s => Assert.Equal(HttpStatusCode.TooManyRequests, s));

        // A real user behind another address logs in normally.
        await shop.NewUserAsync();
    }

    [Fact]
    public async Task Registrations_are_limited_per_address_per_hour()
    {
        var client = shop.Client();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 22; i++)
        {
            var response = await client.PostAsJsonAsync("/api/v1/auth/register", new { email = $"bulk-{Guid.NewGuid():N}@example.com", password = "long-enough-1", fullName = "Bulk" });
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                await Expect.Problem(response, HttpStatusCode.TooManyRequests);
                Assert.NotNull(response.Headers.RetryAfter);
            }
        }

        Assert.All(statuses.Take(20), s => Assert.Equal(HttpStatusCode.Created, s));
        Assert.All(statuses.Skip(20), s => Assert.Equal(HttpStatusCode.TooManyRequests, s));
        await Expect.Status(await shop.Client().PostAsJsonAsync("/api/v1/auth/register", new { email = $"bulk-{Guid.NewGuid():N}@example.com", password = "long-enough-1", fullName = "Other" }), HttpStatusCode.Created);
    }

    [Fact]
    public async Task The_global_limit_allows_600_requests_a_minute_per_client_then_429()
    {
        var client = shop.Client();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 605; i++)
        {
            statuses.Add((await client.GetAsync("/api/v1/users/me")).StatusCode);
        }

        Assert.All(statuses.Take(600), s => Assert.Equal(HttpStatusCode.Unauthorized, s));
        Assert.All(statuses.Skip(600), s => Assert.Equal(HttpStatusCode.TooManyRequests, s));
        // Health probes are never limited, and another client is unaffected.
        await Expect.Status(await client.GetAsync("/health/live"), HttpStatusCode.OK);
        await Expect.Problem(await shop.Client().GetAsync("/api/v1/users/me"), HttpStatusCode.Unauthorized);
    }
}

[Collection(SqliteCollection.Name)]
public sealed class RateLimitTestsOnSqlite(SqliteShop shop) : RateLimitTests(shop);

[Collection(PostgresCollection.Name), Trait("Category", "Postgres")]
public sealed class RateLimitTestsOnPostgres(PostgresShop shop) : RateLimitTests(shop);
