using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using Shop.IntegrationTests.Infrastructure;

namespace Shop.IntegrationTests;

/// <summary>
/// Catalog reads from the real streaming standby the test command starts (SHOP_TEST_POSTGRES_STANDBY):
/// which server ran a query is read from pg_stat_statements on each. The tests pause, stop and start
/// that standby, so they are one class and run one after another.
/// </summary>
[Trait("Category", "Postgres")]
public sealed class ReplicaTests(ReplicaShop shop) : IClassFixture<ReplicaShop>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Catalog_reads_are_served_by_the_standby_and_everything_else_by_the_primary()
    {
        var admin = await shop.AdminAsync();
        await admin.CreateProductAsync(onHand: 3);
        using var anonymous = shop.Client();

        await Eventually.Until("ten list pages read on the standby and none on the primary", async () =>
        {
            var before = await CallsAsync();
            for (var i = 0; i < 10; i++)
            {
                await Expect.Status(await anonymous.GetAsync($"/api/v1/products?page=1&pageSize=5&q=widget{i}"), HttpStatusCode.OK);
            }

            var after = await CallsAsync();
            return (Standby: after.Standby - before.Standby, Primary: after.Primary - before.Primary);
        }, reads => reads.Standby >= 10 && reads.Primary == 0, Patience);

        // An admin's read is fresh: the primary's.
        var before = await CallsAsync();
        await Expect.Status(await admin.Client.GetAsync("/api/v1/products?page=1&pageSize=5"), HttpStatusCode.OK);
        var after = await CallsAsync();
        Assert.Equal(before.Standby, after.Standby);
        Assert.True(after.Primary > before.Primary);

        var health = await ReplicaHealthAsync();
        Assert.Equal("Healthy", health);
    }

    [Fact]
    public async Task A_standby_whose_replay_is_paused_is_left_once_behind_the_bound_and_read_again_once_it_catches_up()
    {
        var admin = await shop.AdminAsync();
        var product = await admin.CreateProductAsync(onHand: 3);
        using var anonymous = shop.Client();
        await WaitUntilStandbyReadsAsync(anonymous);

        await StandbyAsync("SELECT pg_wal_replay_pause()");
        try
        {
            var renamed = new ProductBody($"Renamed {Guid.NewGuid():N}"[..20]);
            await Expect.Status(await admin.Client.PutAsJsonAsync($"/api/v1/products/{product}", renamed), HttpStatusCode.OK);

            // Within the bound the standby may still answer with the old name; once the bound has
            // passed, the new name, from the primary. Never an error.
            var seen = await Eventually.Until("the new name", async () =>
                (await Expect.Json(await anonymous.GetAsync($"/api/v1/products/{product}"))).GetProperty("name").GetString(),
                name => name == renamed.Name, Patience);
            Assert.Equal(renamed.Name, seen);
            await Eventually.Until("/health/ready to show the replica degraded", ReplicaHealthAsync, status => status == "Degraded", Patience);

            // Behind the bound, even reads of what was not written go to the primary.
            var before = await CallsAsync();
            await Expect.Status(await anonymous.GetAsync("/api/v1/products?page=1&pageSize=5&q=paused"), HttpStatusCode.OK);
            var after = await CallsAsync();
            Assert.Equal(before.Standby, after.Standby);
            Assert.True(after.Primary > before.Primary);
        }
        finally
        {
            await StandbyAsync("SELECT pg_wal_replay_resume()");
        }

        await WaitUntilStandbyReadsAsync(anonymous);
        var name = (await Expect.Json(await anonymous.GetAsync($"/api/v1/products/{product}"))).GetProperty("name").GetString();
        Assert.StartsWith("Renamed", name, StringComparison.Ordinal);
        await Eventually.Until("/health/ready to show the replica healthy", ReplicaHealthAsync, status => status == "Healthy", Patience);
    }

    [Fact]
    public async Task A_standby_stopped_under_load_costs_no_error_and_is_read_again_once_started()
    {
        var admin = await shop.AdminAsync();
        await admin.CreateProductAsync(onHand: 3);
        using var anonymous = shop.Client();
        await WaitUntilStandbyReadsAsync(anonymous);

        using var stop = new CancellationTokenSource();
        var load = Task.WhenAll(Enumerable.Range(0, 4).Select(async worker =>
        {
            var statuses = new List<HttpStatusCode>();
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                using var response = await anonymous.GetAsync($"/api/v1/products?page=1&pageSize=5&q=load{worker}x{i % 7}");
                statuses.Add(response.StatusCode);
            }

            return statuses;
        }));

        try
        {
            await Task.Delay(500);
            await ControlStandbyAsync("stop -m fast");
            await Eventually.Until("/health/ready to show the replica degraded", ReplicaHealthAsync, status => status == "Degraded", Patience);
            await Task.Delay(1000);
        }
        finally
        {
            await ControlStandbyAsync("start");
        }

        await WaitUntilStandbyReadsAsync(anonymous);
        await stop.CancelAsync();
        var statuses = (await load).SelectMany(s => s).ToList();
        Assert.True(statuses.Count > 20, $"only {statuses.Count} reads during the load");
        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));
        await Eventually.Until("/health/ready to show the replica healthy", ReplicaHealthAsync, status => status == "Healthy", Patience);
    }

    private sealed record ProductBody(string Sku, string Name, decimal Price)
    {
        public ProductBody(string name) : this($"R-{Guid.NewGuid():N}"[..14], name, 12.5m)
        {
        }
    }

    private async Task WaitUntilStandbyReadsAsync(HttpClient anonymous) =>
        await Eventually.Until("a list page read on the standby", async () =>
        {
            var before = await CallsAsync();
            await Expect.Status(await anonymous.GetAsync($"/api/v1/products?page=1&pageSize=5&q={Guid.NewGuid():N}"), HttpStatusCode.OK);
            var after = await CallsAsync();
            return after.Standby - before.Standby;
        }, standby => standby > 0, Patience);

    private async Task<string?> ReplicaHealthAsync()
    {
        using var client = shop.Client();
        using var response = await client.GetAsync("/health/ready");
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return body.GetProperty("checks").TryGetProperty("database-replica", out var replica) ? replica.GetProperty("status").GetString() : null;
    }

    /// <summary>Statements on the products table this test database has run, on the standby and on the primary.</summary>
    private async Task<(long Standby, long Primary)> CallsAsync()
    {
        const string Sql = """
            SELECT coalesce(sum(s.calls), 0)::bigint FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
            WHERE d.datname = current_database() AND s.query LIKE '%FROM products AS p%'
            """;
        return (await ScalarAsync<long>(shop.StandbyConnectionString, Sql), await ScalarAsync<long>(shop.ConnectionString, Sql));
    }

    private Task StandbyAsync(string sql) => ScalarAsync<object>(shop.StandbyConnectionString, sql);

    private static async Task<T> ScalarAsync<T>(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    private static async Task ControlStandbyAsync(string action)
    {
        var command = $"{ReplicaShop.StandbyControl} {action}";
        using var process = Process.Start(new ProcessStartInfo("bash", ["-c", command]) { RedirectStandardOutput = true, RedirectStandardError = true })
            ?? throw new InvalidOperationException("Could not run pg_ctl.");
        var output = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(process.ExitCode == 0, $"{command}: {output}");
    }
}

/// <summary>
/// A PostgreSQL shop whose catalog reads the test command's standby, with a bound of 2 s and the
/// data cache off (so that every read reaches a database) and no practical rate limit; pg_stat_statements
/// installed in its database.
/// </summary>
public sealed class ReplicaShop : PostgresShop
{
    public static string StandbyControl =>
        Environment.GetEnvironmentVariable("SHOP_TEST_POSTGRES_STANDBY_CTL") is { Length: > 0 } control
            ? control
            : throw new InvalidOperationException("SHOP_TEST_POSTGRES_STANDBY_CTL is not set. Run the tests with 'bash scripts/test.sh', which starts a streaming standby.");

    public string StandbyConnectionString { get; private set; } = "";

    protected override async Task<string> CreateDatabaseAsync()
    {
        var primary = await base.CreateDatabaseAsync();
        var standby = Environment.GetEnvironmentVariable("SHOP_TEST_POSTGRES_STANDBY") is { Length: > 0 } server
            ? server
            : throw new InvalidOperationException("SHOP_TEST_POSTGRES_STANDBY is not set. Run the tests with 'bash scripts/test.sh', which starts a streaming standby.");
        StandbyConnectionString = new NpgsqlConnectionStringBuilder(standby) { Database = new NpgsqlConnectionStringBuilder(primary).Database, Timeout = 3 }.ConnectionString;
        await using (var connection = new NpgsqlConnection(primary))
        {
            await connection.OpenAsync();
            await using var extension = new NpgsqlCommand("CREATE EXTENSION IF NOT EXISTS pg_stat_statements", connection);
            await extension.ExecuteNonQueryAsync();
        }

        Settings["ConnectionStrings:DatabaseReadReplica"] = StandbyConnectionString;
        Settings["Database:MaxReplicaLag"] = "00:00:02";
        Settings["Catalog:CacheReads"] = "false";
        Settings["RateLimiting:GlobalPerMinute"] = "1000000"; // the load test's reads are many
        return primary;
    }
}
