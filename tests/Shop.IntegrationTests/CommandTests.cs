using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Shop.Core.Data;
using Shop.Core.Users;
using Shop.IntegrationTests.Infrastructure;

namespace Shop.IntegrationTests;

/// <summary>
/// The maintenance commands of the API's assembly, run as real processes on a database of their own:
/// <c>migrate</c> (with <c>Database:MigrateOnStartup=false</c> on the servers) and <c>seed</c>.
/// </summary>
public abstract class CommandTests(ShopFactory shop)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task With_MigrateOnStartup_false_a_stale_schema_is_refused_until_migrate_has_run()
    {
        await using var database = await shop.CreateScratchDatabaseAsync();
        var settings = Settings(database);
        settings["Database__MigrateOnStartup"] = "false";

        var (refused, output) = await ApiProcess.RunExpectingExitAsync(settings, Timeout);
        Assert.NotEqual(0, refused);
        Assert.Contains("Database:MigrateOnStartup is false", output, StringComparison.Ordinal);
        Assert.Contains("_Initial", output, StringComparison.Ordinal); // the missing migrations are named
        Assert.Contains("migrate", output, StringComparison.Ordinal);

        var (migrated, migrateOutput) = await ApiProcess.RunExpectingExitAsync(Settings(database), Timeout, "migrate");
        Assert.True(migrated == 0, migrateOutput);
        var (again, againOutput) = await ApiProcess.RunExpectingExitAsync(Settings(database), Timeout, "migrate");
        Assert.True(again == 0, againOutput); // nothing left to apply is a success too

        await using var api = await RunningApi.StartAsync(settings);
        using var client = api.Client();
        await Expect.Status(await client.GetAsync("/health/ready"), HttpStatusCode.OK);
    }

    [Fact]
    public async Task Seed_fills_the_catalog_with_the_same_products_every_time_and_grows_it()
    {
        await using var database = await shop.CreateScratchDatabaseAsync();
        var (seeded, output) = await ApiProcess.RunExpectingExitAsync(Settings(database), Timeout, "seed", "--products", "120", "--categories", "30");
        Assert.True(seeded == 0, output);
        Assert.Contains("120 seeded products (120 added now) over 30 leaf categories", output, StringComparison.Ordinal);
        (seeded, output) = await ApiProcess.RunExpectingExitAsync(Settings(database), Timeout, "seed", "--products", "150", "--categories", "30");
        Assert.True(seeded == 0, output);
        Assert.Contains("150 seeded products (30 added now) over 30 leaf categories (0 categories created)", output, StringComparison.Ordinal);

        await using var api = await RunningApi.StartAsync(Settings(database));
        using var client = api.Client();
        var page = await client.GetFromJsonAsync<JsonElement>("/api/v1/products?pageSize=100");
        Assert.Equal(150, page.GetProperty("totalCount").GetInt32());
        // Product 7 is the same on every run and machine: id, sku, price, stock.
        var seventh = await client.GetFromJsonAsync<JsonElement>("/api/v1/products/00000000-5eed-7000-8000-000000000007");
        Assert.Equal("SEED-0000007", seventh.GetProperty("sku").GetString());
        Assert.Equal(55.33m, seventh.GetProperty("price").GetDecimal()); // 100 + 7 * 7919 % 50000 cents
        Assert.Equal(1 + (7 * 97 % 249), seventh.GetProperty("stock").GetProperty("available").GetInt32());
        var tree = await client.GetFromJsonAsync<JsonElement>("/api/v1/categories");
        Assert.Contains(tree.EnumerateArray(), c => c.GetProperty("slug").GetString() == "electronics");
        // Every product sits in a leaf category, and the first 30 leaves are all used.
        var categories = page.GetProperty("items").EnumerateArray().Select(p => p.GetProperty("categoryId").GetGuid()).ToHashSet();
        Assert.Equal(30, categories.Count);
    }

    [Fact]
    public async Task Total_counts_are_exact_up_to_ten_thousand_and_estimated_beyond_on_PostgreSQL_first_in_large_tables()
    {
        await using var database = await shop.CreateScratchDatabaseAsync();
        var (seeded, output) = await ApiProcess.RunExpectingExitAsync(Settings(database), Timeout, "seed", "--products", "10000", "--categories", "40");
        Assert.True(seeded == 0, output);
        await using (var api = await RunningApi.StartAsync(Settings(database)))
        {
            using var client = api.Client();
            Assert.Equal(10_000, await TotalAsync(client, "/api/v1/products?pageSize=1")); // the limit itself is exact
        }

        (seeded, output) = await ApiProcess.RunExpectingExitAsync(Settings(database), Timeout, "seed", "--products", "10250", "--categories", "40");
        Assert.True(seeded == 0, output);
        // 150 products withdrawn behind the statistics' back (the seed ran ANALYZE; too few rows change for autovacuum to run it again).
        await using (var db = OpenContext(database))
        {
            Assert.Equal(150, await db.Database.ExecuteSqlRawAsync("UPDATE products SET is_active = false WHERE sku > 'SEED-0010100'"));
        }

        await using (var api = await RunningApi.StartAsync(Settings(database)))
        {
            using var client = api.Client();
            var all = await TotalAsync(client, "/api/v1/products?pageSize=1");
            if (shop.Provider == "Postgres")
            {
                // The planner's estimate, from statistics that saw 10,250 active products (scaled by the table's
                // pages, which the update's new row versions grew); an exact count would say 10,100.
                Assert.InRange(all, 10_200, 10_700);
            }
            else
            {
                Assert.Equal(10_100, all); // SQLite has no estimator and counts
            }

            // Narrower filters stay exact: one leaf category holds every 40th product.
            var seventh = await client.GetFromJsonAsync<JsonElement>("/api/v1/products/00000000-5eed-7000-8000-000000000007");
            var category = seventh.GetProperty("categoryId").GetGuid();
            var inCategory = await TotalAsync(client, $"/api/v1/products?categoryId={category}&pageSize=100");
            Assert.Equal(253, inCategory); // products 7, 47, ..., 10087 (10127 on are withdrawn)
            var q = await TotalAsync(client, "/api/v1/products?q=SEED-00001&pageSize=100"); // SEED-0000100 .. SEED-0000199
            Assert.Equal(100, q);
        }

        if (shop.Provider != "Postgres")
        {
            return;
        }

        // A table of more than 50,000 rows: a total the planner puts above 50,000 is its estimate, made before
        // any row is counted. Shown by withdrawing 55,000 of 60,000 products behind the statistics' back: a
        // count (even one capped at 10,001 rows) would say 5,000.
        (seeded, output) = await ApiProcess.RunExpectingExitAsync(Settings(database), Timeout, "seed", "--products", "60000", "--categories", "40");
        Assert.True(seeded == 0, output);
        await using (var db = OpenContext(database))
        {
            await db.Database.ExecuteSqlRawAsync("ALTER TABLE products SET (autovacuum_enabled = false)"); // or it could analyze again
            Assert.Equal(55_000, await db.Database.ExecuteSqlRawAsync("UPDATE products SET is_active = false WHERE sku > 'SEED-0005000'"));
        }

        await using (var api = await RunningApi.StartAsync(Settings(database)))
        {
            using var client = api.Client();
            Assert.InRange(await TotalAsync(client, "/api/v1/products?pageSize=1"), 50_001, 200_000);
            // Below 50,000 by the planner's reckoning, totals are counted: exact up to 10,000 as before.
            var seventh = await client.GetFromJsonAsync<JsonElement>("/api/v1/products/00000000-5eed-7000-8000-000000000007");
            var category = seventh.GetProperty("categoryId").GetGuid();
            Assert.Equal(125, await TotalAsync(client, $"/api/v1/products?categoryId={category}&pageSize=1")); // 7, 47, ..., 4967
            Assert.Equal(100, await TotalAsync(client, "/api/v1/products?q=SEED-00001&pageSize=1"));
            // So few expected that the matches' ids are read once for the page and the total (ProductCatalog.FromMatchIdsAsync):
            // pages of 30 are the list of 100 cut in four, newest first, and a page beyond the last is empty with the same total.
            var all = await ItemsAsync(client, "/api/v1/products?q=SEED-00001&pageSize=100", total: 100);
            Assert.Equal(Enumerable.Range(100, 100).Select(i => $"SEED-{i:D7}").Order(StringComparer.Ordinal), all.Select(p => p.Sku).Order(StringComparer.Ordinal));
            Assert.True(all.Zip(all.Skip(1)).All(p => p.First.CreatedAt > p.Second.CreatedAt
                || (p.First.CreatedAt == p.Second.CreatedAt && string.CompareOrdinal(p.First.Id.ToString(), p.Second.Id.ToString()) > 0)), "newest first, then by id");
            List<(Guid Id, string Sku, DateTime CreatedAt)> pages = [];
            for (var page = 1; page <= 5; page++)
            {
                pages.AddRange(await ItemsAsync(client, $"/api/v1/products?q=SEED-00001&pageSize=30&page={page}", total: 100));
            }

            Assert.Equal(all, pages);
            // A page that is not full says the total itself, however large the table.
            Assert.Equal(5_000, await TotalAsync(client, "/api/v1/products?pageSize=75&page=67")); // 50 of 75: the last page
        }
    }

    private ShopDbContext OpenContext(ScratchDatabase database)
    {
        var options = new DbContextOptionsBuilder<ShopDbContext>();
        DatabaseSetup.Configure(options, Enum.Parse<DatabaseProvider>(shop.Provider), database.Settings["ConnectionStrings__Database"]);
        return new ShopDbContext(options.Options);
    }

    private static async Task<int> TotalAsync(HttpClient client, string path) =>
        (await client.GetFromJsonAsync<JsonElement>(path)).GetProperty("totalCount").GetInt32();

    private static async Task<List<(Guid Id, string Sku, DateTime CreatedAt)>> ItemsAsync(HttpClient client, string path, int total)
    {
        var page = await client.GetFromJsonAsync<JsonElement>(path);
        Assert.Equal(total, page.GetProperty("totalCount").GetInt32());
        return [.. page.GetProperty("items").EnumerateArray().Select(p => (p.GetProperty("id").GetGuid(), p.GetProperty("sku").GetString()!, p.GetProperty("createdAt").GetDateTime()))];
    }

    private static Dictionary<string, string> Settings(ScratchDatabase database) => new(database.Settings)
    {
        ["ASPNETCORE_ENVIRONMENT"] = "Production",
        ["Jwt__SigningKey"] = ShopFactory.SigningKey,
    };
}

[Collection(SqliteCollection.Name)]
public sealed class CommandTestsOnSqlite(SqliteShop shop) : CommandTests(shop);

[Collection(PostgresCollection.Name), Trait("Category", "Postgres")]
public sealed class CommandTestsOnPostgres(PostgresShop shop) : CommandTests(shop)
{
    /// <summary>
    /// A deployment starting replicas together (compose's migrate job beside API replicas that still
    /// migrate at start-up, a rolling deploy's first pods) on one empty PostgreSQL: every process
    /// starts, each migration is applied once, the demo catalog and the admin are created once.
    /// </summary>
    [Fact]
    public async Task Migrators_and_replicas_starting_together_on_an_empty_database_apply_each_migration_once()
    {
        await using var database = await shop.CreateScratchDatabaseAsync();
        var settings = new Dictionary<string, string>(database.Settings)
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Jwt__SigningKey"] = ShopFactory.SigningKey,
            ["Seed__DemoData"] = "true",
            ["Admin__Email"] = "admin@example.com",
            ["Admin__Password"] = "admin-password-9",
        };

        // Five processes on a 2-core machine shared with other work: minutes, not seconds, to be ready.
        var migrators = Enumerable.Range(0, 2).Select(_ => ApiProcess.RunExpectingExitAsync(settings, TimeSpan.FromSeconds(240), "migrate")).ToList();
        var replicas = Enumerable.Range(0, 3).Select(_ => RunningApi.StartAsync(settings, TimeSpan.FromSeconds(240))).ToList();
        try
        {
            // Waits for all of them, then throws the first failure (a replica that did not start, with its output).
            await Task.WhenAll(replicas.Cast<Task>().Concat(migrators));
            foreach (var migrator in migrators)
            {
                var (exitCode, output) = await migrator;
                Assert.True(exitCode == 0, output);
            }

            await using var db = OpenPostgres(database);
            var history = await db.Database.SqlQueryRaw<string>("SELECT migration_id AS \"Value\" FROM \"__EFMigrationsHistory\"").ToListAsync();
            Assert.Equal(db.Database.GetMigrations().Order(StringComparer.Ordinal), history.Order(StringComparer.Ordinal));
            Assert.Equal(46, await db.Categories.CountAsync()); // the demo tree once: 5 departments, 14 aisles, 27 shelves
            var skus = await db.Products.Select(p => p.Sku).ToListAsync();
            Assert.InRange(skus.Count, 300, 500);
            Assert.Equal(skus.Count, skus.Distinct().Count());
            var admin = User.Normalize("admin@example.com");
            Assert.Equal(1, await db.Users.CountAsync(u => u.NormalizedEmail == admin));
        }
        finally
        {
            foreach (var replica in replicas.Where(r => r.IsCompletedSuccessfully))
            {
                await (await replica).DisposeAsync();
            }
        }
    }

    private static ShopDbContext OpenPostgres(ScratchDatabase database) =>
        new((DbContextOptions<ShopDbContext>)DatabaseSetup.Configure(new DbContextOptionsBuilder<ShopDbContext>(), DatabaseProvider.Postgres, database.Settings["ConnectionStrings__Database"]).Options);
}

/// <summary>Command lines the API refuses before touching any database.</summary>
public sealed class CommandLineTests
{
    [Theory]
    [InlineData("seed")]
    [InlineData("seed", "--products")]
    [InlineData("seed", "--products", "many")]
    [InlineData("seed", "--products", "-5")]
    [InlineData("seed", "--products", "10", "--categories", "0")]
    public async Task A_bad_command_line_is_exit_code_2_with_the_usage(params string[] args)
    {
        var (exitCode, output) = await ApiProcess.RunExpectingExitAsync(new Dictionary<string, string>(), TimeSpan.FromSeconds(120), args);
        Assert.Equal(2, exitCode);
        Assert.Contains("usage: dotnet Shop.Api.dll seed --products N", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_read_replica_with_SQLite_stops_start_up_naming_the_setting()
    {
        var directory = Directory.CreateTempSubdirectory("shop-replica-").FullName;
        var settings = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Jwt__SigningKey"] = ShopFactory.SigningKey,
            ["ConnectionStrings__Database"] = $"Data Source={Path.Combine(directory, "shop.db")}",
            ["ConnectionStrings__DatabaseReadReplica"] = "Host=127.0.0.1;Port=1;Username=postgres",
        };

        var (exitCode, output) = await ApiProcess.RunExpectingExitAsync(settings, TimeSpan.FromSeconds(120));

        Assert.NotEqual(0, exitCode);
        Assert.Contains("ConnectionStrings:DatabaseReadReplica is set, but read replicas need PostgreSQL", output, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(directory, "shop.db")), "nothing was created before the refusal");
        Directory.Delete(directory, recursive: true);
    }
}
