using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Shop.IntegrationTests.Infrastructure;

namespace Shop.IntegrationTests;

/// <summary>
/// Two API processes over one PostgreSQL database and one Redis, with limits set low so that the tests are quick.
/// Real processes rather than two in-memory hosts: nothing in memory (a static, a shared singleton) can be what
/// makes the limits agree. Each client connects from a loopback address of its own (127.x.y.z), so each test has
/// its own client addresses, as the in-memory tests have with their address header.
/// </summary>
public sealed class TwoApiProcesses : IAsyncLifetime
{
    public const int GlobalPerMinute = 20;
    public const int RegistrationsPerHour = 4;
    public const int LoginFailuresPerAccount = 3;
    public const int LoginFailuresPerAccountAcrossAddresses = 6;

    private readonly string _database = $"shop_limits_{Guid.NewGuid():N}";

    public RunningApi First { get; private set; } = null!;
    public RunningApi Second { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var settings = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Database__Provider"] = "Postgres",
            ["ConnectionStrings__Database"] = await PostgresShop.CreateAsync(_database),
            ["ConnectionStrings__Redis"] = PostgresShop.RedisConnectionString,
            // The processes of this test share counts with each other and with no other host of the run.
            ["Caching__KeyPrefix"] = _database,
            ["Jwt__SigningKey"] = ShopFactory.SigningKey,
            ["Logging__LogLevel__Default"] = "Warning",
            ["RateLimiting__GlobalPerMinute"] = $"{GlobalPerMinute}",
            ["RateLimiting__RegistrationsPerHour"] = $"{RegistrationsPerHour}",
            ["RateLimiting__LoginFailuresPerAccount"] = $"{LoginFailuresPerAccount}",
            ["RateLimiting__LoginFailuresPerAccountAcrossAddresses"] = $"{LoginFailuresPerAccountAcrossAddresses}",
        };
        // One after the other: the first applies the migrations.
        First = await RunningApi.StartAsync(settings);
        Second = await RunningApi.StartAsync(settings);
    }

    /// <summary>A client of each process, both connecting from the same new address.</summary>
    public (HttpClient First, HttpClient Second) ClientsFrom(IPAddress address) =>
        (Loopback.ClientFrom(address, First), Loopback.ClientFrom(address, Second));

    public async Task DisposeAsync()
    {
        await (First?.DisposeAsync() ?? ValueTask.CompletedTask);
        await (Second?.DisposeAsync() ?? ValueTask.CompletedTask);
        await PostgresShop.DropAsync(_database);
    }
}

/// <summary>With Redis, requests alternated between two API processes reach each limit at the same count as on one.</summary>
[Collection(ClusterCollection.Name), Trait("Category", "Postgres")]
public sealed class SharedLimitTests(TwoApiProcesses apis) : IClassFixture<TwoApiProcesses>
{
    private static Task<HttpResponseMessage> LogIn(HttpClient client, string email, string password) =>
        client.PostAsJsonAsync("/api/v1/auth/login", new { email, password });

    private static Task<HttpResponseMessage> Register(HttpClient client, string? email = null) =>
        client.PostAsJsonAsync("/api/v1/auth/register", new { email = email ?? $"shared-{Guid.NewGuid():N}@example.com", password = "long-enough-1", fullName = "Shared" });

    [Fact]
    public async Task Failed_logins_alternated_between_two_processes_are_counted_together()
    {
        var email = $"owner-{Guid.NewGuid():N}@example.com";
        var (owner, _) = apis.ClientsFrom(Loopback.RandomClientAddress());
        await Expect.Status(await Register(owner, email), HttpStatusCode.Created);

        // From one address, the hard limit per account and address: as many failures as on one process, then 429 on both.
        var (first, second) = apis.ClientsFrom(Loopback.RandomClientAddress());
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < TwoApiProcesses.LoginFailuresPerAccount + 2; i++)
        {
            statuses.Add((await LogIn(i % 2 == 0 ? first : second, email, $"guess-{i}")).StatusCode);
        }

        Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.Unauthorized, TwoApiProcesses.LoginFailuresPerAccount), HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], statuses);
        await Expect.Problem(await LogIn(first, email, "long-enough-1"), HttpStatusCode.TooManyRequests);
        await Expect.Problem(await LogIn(second, email, "long-enough-1"), HttpStatusCode.TooManyRequests);

        // Across addresses, the growing delay: past the threshold, counted on both processes together, the next
        // attempt waits, whichever process it reaches.
        for (var i = TwoApiProcesses.LoginFailuresPerAccount; i < TwoApiProcesses.LoginFailuresPerAccountAcrossAddresses; i++)
        {
            var (a, b) = apis.ClientsFrom(Loopback.RandomClientAddress());
            await Expect.Problem(await LogIn(i % 2 == 0 ? a : b, email, $"guess-{i}"), HttpStatusCode.Unauthorized);
        }

        var (elsewhere, elsewhereOnSecond) = apis.ClientsFrom(Loopback.RandomClientAddress());
        var waited = await LogIn(elsewhereOnSecond, email, "long-enough-1");
        await Expect.Problem(waited, HttpStatusCode.TooManyRequests);
        Assert.Equal(TimeSpan.FromSeconds(1), waited.Headers.RetryAfter?.Delta);

        // Once the delay has passed, the owner logs in through the other process.
        await Task.Delay(TimeSpan.FromSeconds(1.2));
        await Expect.Status(await LogIn(elsewhere, email, "long-enough-1"), HttpStatusCode.OK);
    }

    [Fact]
    public async Task Registrations_alternated_between_two_processes_are_counted_together()
    {
        var (first, second) = apis.ClientsFrom(Loopback.RandomClientAddress());
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < TwoApiProcesses.RegistrationsPerHour + 2; i++)
        {
            var response = await Register(i % 2 == 0 ? first : second);
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                await Expect.Problem(response, HttpStatusCode.TooManyRequests);
                Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.FromMinutes(50), $"Retry-After {response.Headers.RetryAfter}");
            }
        }

        Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.Created, TwoApiProcesses.RegistrationsPerHour), HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], statuses);
        var (_, otherAddress) = apis.ClientsFrom(Loopback.RandomClientAddress());
        await Expect.Status(await Register(otherAddress), HttpStatusCode.Created);
    }

    [Fact]
    public async Task The_global_limit_alternated_between_two_processes_is_counted_together()
    {
        var (first, second) = apis.ClientsFrom(Loopback.RandomClientAddress());
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < TwoApiProcesses.GlobalPerMinute + 4; i++)
        {
            statuses.Add((await (i % 2 == 0 ? first : second).GetAsync("/api/v1/users/me")).StatusCode);
        }

        Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.Unauthorized, TwoApiProcesses.GlobalPerMinute), .. Enumerable.Repeat(HttpStatusCode.TooManyRequests, 4)], statuses);
        var refused = await second.GetAsync("/api/v1/users/me");
        await Expect.Problem(refused, HttpStatusCode.TooManyRequests);
        Assert.InRange(refused.Headers.RetryAfter?.Delta ?? TimeSpan.Zero, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));
        var (_, otherAddress) = apis.ClientsFrom(Loopback.RandomClientAddress());
        await Expect.Problem(await otherAddress.GetAsync("/api/v1/users/me"), HttpStatusCode.Unauthorized);
    }
}

/// <summary>With Redis configured but unreachable, every limit still holds, counted in the process, and nothing answers 5xx.</summary>
public sealed class SharedLimitOutageTests
{
    [Fact]
    public async Task With_redis_unreachable_each_process_still_applies_every_limit_and_logs_the_outage_once()
    {
        await using var api = await RunningApi.StartAsync(new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            // A loopback port nothing listens on: connections are refused at once, as when Redis is down.
            ["ConnectionStrings__Redis"] = $"127.0.0.1:{Loopback.FreePort()}",
            ["RateLimiting__GlobalPerMinute"] = "20",
            ["RateLimiting__RegistrationsPerHour"] = "3",
            ["RateLimiting__LoginFailuresPerAccount"] = "2",
            ["RateLimiting__LoginFailuresPerAccountAcrossAddresses"] = "4",
        });
        static async Task<HttpStatusCode> Status(Task<HttpResponseMessage> request) => (await request).StatusCode;

        using var registering = Loopback.ClientFrom(Loopback.RandomClientAddress(), api);
        var registrations = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            registrations.Add(await Status(Register(registering, i == 0 ? "owner-down@example.com" : null)));
        }

        Assert.Equal([HttpStatusCode.Created, HttpStatusCode.Created, HttpStatusCode.Created, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], registrations);

        using var guessing = Loopback.ClientFrom(Loopback.RandomClientAddress(), api);
        var logins = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            logins.Add(await Status(LogIn(guessing, "owner-down@example.com", $"guess-{i}")));
        }

        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], logins);
        using var owner = Loopback.ClientFrom(Loopback.RandomClientAddress(), api);
        Assert.Equal(HttpStatusCode.OK, await Status(LogIn(owner, "owner-down@example.com", "long-enough-1")));

        using var busy = Loopback.ClientFrom(Loopback.RandomClientAddress(), api);
        var reads = new List<HttpStatusCode>();
        var readsTook = Stopwatch.StartNew();
        for (var i = 0; i < 22; i++)
        {
            reads.Add(await Status(busy.GetAsync("/api/v1/users/me")));
        }

        readsTook.Stop();

        Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.Unauthorized, 20), HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], reads);

        // No request waited on Redis (22 waits of the 1 s timeout would take 22 s), and the outage was logged
        // once, not once per request.
        Assert.True(readsTook.Elapsed < TimeSpan.FromSeconds(8), $"22 requests took {readsTook.Elapsed}");
        Assert.Single(api.Output.Split('\n'), line => line.Contains("are counted in this process until it does", StringComparison.Ordinal));
    }

    private static Task<HttpResponseMessage> LogIn(HttpClient client, string email, string password) =>
        client.PostAsJsonAsync("/api/v1/auth/login", new { email, password });

    private static Task<HttpResponseMessage> Register(HttpClient client, string? email = null) =>
        client.PostAsJsonAsync("/api/v1/auth/register", new { email = email ?? $"down-{Guid.NewGuid():N}@example.com", password = "long-enough-1", fullName = "Down" });
}
