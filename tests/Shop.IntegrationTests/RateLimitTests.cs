using System.Net;
using System.Net.Http.Json;
using Shop.IntegrationTests.Infrastructure;

namespace Shop.IntegrationTests;

/// <summary>
/// The production limits: failed logins 5 per account per address, then growing delays past 20 per account
/// across addresses and 20 per address across accounts; 20 registrations per hour per address.
/// </summary>
public abstract class RateLimitTests(ShopFactory shop)
{
    private static Task<HttpResponseMessage> LogIn(HttpClient client, string email, string password) =>
        client.PostAsJsonAsync("/api/v1/auth/login", new { email, password });

    private static TimeSpan RetryAfter(HttpResponseMessage response) =>
        response.Headers.RetryAfter?.Delta ?? throw new Xunit.Sdk.XunitException("429 without a Retry-After delta");

    [Fact]
    public async Task Fifty_failed_logins_from_one_address_turn_into_429_there_while_the_owner_still_logs_in_from_another()
    {
        // Until this issue a fifth failure locked the account from every address for 15 minutes;
        // now only the guessing address is refused.
        var user = await shop.NewUserAsync();
        var attacker = shop.Client();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 50; i++)
        {
            // The same account however its email is spelt: case and padding buy no extra guesses.
            var email = (i % 3) switch { 0 => user.Email, 1 => user.Email.ToUpperInvariant(), _ => $"  {user.Email} " };
            var response = await LogIn(attacker, email, $"guess-{i}");
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                await Expect.Problem(response, HttpStatusCode.TooManyRequests);
                Assert.True(RetryAfter(response) > TimeSpan.Zero);
            }
        }

        Assert.All(statuses.Take(5), s => Assert.Equal(HttpStatusCode.Unauthorized, s));
        Assert.All(statuses.Skip(5), s => Assert.Equal(HttpStatusCode.TooManyRequests, s));

        // The guessing address stays refused, even with the right password...
        await Expect.Problem(await LogIn(attacker, user.Email, user.Password), HttpStatusCode.TooManyRequests);
        // ...while the owner logs in from anywhere else, however they spell the email.
        await Expect.Status(await LogIn(shop.Client(), user.Email, user.Password), HttpStatusCode.OK);
        await Expect.Status(await LogIn(shop.Client(), $" {user.Email.ToUpperInvariant()} ", user.Password), HttpStatusCode.OK);
        await Expect.Status(await user.Client.GetAsync("/api/v1/users/me"), HttpStatusCode.OK);
        await shop.NewUserAsync();
    }

    [Fact]
    public async Task Guessing_at_one_account_from_many_addresses_is_slowed_by_growing_delays_that_the_owner_waits_out()
    {
        var user = await shop.NewUserAsync();
        for (var i = 0; i < 20; i++)
        {
            await Expect.Problem(await LogIn(shop.Client(), user.Email, $"guess-{i}"), HttpStatusCode.Unauthorized);
        }

        // Past 20 failures across addresses every attempt at the account waits, from any address, right password or not.
        var first = await LogIn(shop.Client(), user.Email, "guess-20");
        await Expect.Problem(first, HttpStatusCode.TooManyRequests);
        Assert.Equal(TimeSpan.FromSeconds(1), RetryAfter(first));
        await Expect.Problem(await LogIn(shop.Client(), user.Email, user.Password), HttpStatusCode.TooManyRequests);

        // Each further failure doubles the delay.
        await Task.Delay(RetryAfter(first) + TimeSpan.FromMilliseconds(200));
        await Expect.Problem(await LogIn(shop.Client(), user.Email, "guess-21"), HttpStatusCode.Unauthorized);
        var second = await LogIn(shop.Client(), user.Email, "guess-22");
        await Expect.Problem(second, HttpStatusCode.TooManyRequests);
        Assert.Equal(TimeSpan.FromSeconds(2), RetryAfter(second));

        // The owner is delayed by seconds, never locked out: once the delay has passed, the right password works.
        await Task.Delay(RetryAfter(second) + TimeSpan.FromMilliseconds(200));
        await Expect.Status(await LogIn(shop.Client(), user.Email, user.Password), HttpStatusCode.OK);
    }

    [Fact]
    public async Task Failed_logins_across_many_accounts_from_one_address_are_slowed_there_without_locking_out_the_others_behind_it()
    {
        var colleague = await shop.NewUserAsync();
        var address = TestClientAddressFilter.RandomAddress();
        var attacker = shop.Client(address);
        var responses = new List<HttpResponseMessage>();
        for (var i = 0; i < 25; i++)
        {
            responses.Add(await LogIn(attacker, $"nobody-{i}-{Guid.NewGuid():N}@example.com", "guess-guess"));
        }

        Assert.All(responses.Take(20), r => Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode));
        Assert.All(responses.Skip(20), r => Assert.Equal(HttpStatusCode.TooManyRequests, r.StatusCode));

        // Someone else behind the same address (an office, a mobile carrier) waits a second, not 15 minutes.
        var wait = RetryAfter(responses[^1]);
        Assert.True(wait <= TimeSpan.FromSeconds(1), $"Retry-After {wait}");
        await Task.Delay(wait + TimeSpan.FromMilliseconds(200));
        await Expect.Status(await LogIn(shop.Client(address), colleague.Email, colleague.Password), HttpStatusCode.OK);

        // A real user behind another address logs in normally.
        await shop.NewUserAsync();
    }

    [Fact]
    public async Task Wrong_current_passwords_are_limited_on_their_own_and_never_lock_the_owners_login()
    {
        var user = await shop.NewUserAsync();
        for (var i = 0; i < 5; i++)
        {
            await Expect.ValidationError(await user.Client.PostAsJsonAsync("/api/v1/users/me/password", new { currentPassword = $"guess-{i}", newPassword = "brand-new-pass-1" }), "currentPassword");
        }

        await Expect.Problem(await user.Client.PostAsJsonAsync("/api/v1/users/me/password", new { currentPassword = "guess-5", newPassword = "brand-new-pass-1" }), HttpStatusCode.TooManyRequests);

        // Logging in is counted apart: from the same address and from another one it still works.
        var sameAddress = user.Client.DefaultRequestHeaders.GetValues(TestClientAddressFilter.Header).Single();
        await Expect.Status(await LogIn(shop.Client(sameAddress), user.Email, user.Password), HttpStatusCode.OK);
        await Expect.Status(await LogIn(shop.Client(), user.Email, user.Password), HttpStatusCode.OK);
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

    [Fact]
    public async Task Requests_arriving_together_within_the_limit_are_all_served_and_the_limit_still_holds()
    {
        // With Redis the window's permits are taken in batches: 100 requests at once must not each
        // take a batch (100 x 12 would exhaust the 600) nor be refused early.
        var client = shop.Client();
        var together = await Task.WhenAll(Enumerable.Range(0, 100).Select(async _ => (await client.GetAsync("/api/v1/users/me")).StatusCode));
        Assert.All(together, s => Assert.Equal(HttpStatusCode.Unauthorized, s));

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 505; i++)
        {
            statuses.Add((await client.GetAsync("/api/v1/users/me")).StatusCode);
        }

        Assert.All(statuses.Take(500), s => Assert.Equal(HttpStatusCode.Unauthorized, s));
        Assert.All(statuses.Skip(500), s => Assert.Equal(HttpStatusCode.TooManyRequests, s));
    }
}

[Collection(SqliteCollection.Name)]
public sealed class RateLimitTestsOnSqlite(SqliteShop shop) : RateLimitTests(shop);

[Collection(PostgresCollection.Name), Trait("Category", "Postgres")]
public sealed class RateLimitTestsOnPostgres(PostgresShop shop) : RateLimitTests(shop);
