using System.Net;
using System.Text.Json;
using Shop.IntegrationTests.Infrastructure;

namespace Shop.IntegrationTests;

/// <summary>
/// Random combinations of filter, sort and paging must return exactly what LINQ to objects
/// returns over the same seeded products.
/// </summary>
public abstract class ProductQueryPropertyTests(ShopFactory shop)
{
    private static readonly string[] Words = ["amber", "birch", "cobalt", "dune", "ember", "fjord", "granite", "harbor", "ivory", "juniper"];
    private static readonly string[] Sorts = ["name", "-name", "price", "-price", "createdAt", "-createdAt"];

    private sealed record Item(Guid Id, string Sku, string Name, string Description, decimal Price, Guid CategoryId, bool IsActive, int Available, DateTime CreatedAt);

    [Fact]
    public async Task Random_queries_match_a_linq_evaluation_of_the_same_data()
    {
        var seed = Environment.TickCount;
        var random = new Random(seed);
        var admin = await shop.AdminAsync();
        var marker = Guid.NewGuid().ToString("N")[..8];

        // A private subtree: root -> (a -> a1), b. Other tests' products never fall inside it.
        var root = await admin.CreateCategoryAsync($"Prop {marker}");
        var a = await admin.CreateCategoryAsync($"Prop A {marker}", root);
        var a1 = await admin.CreateCategoryAsync($"Prop A1 {marker}", a);
        var b = await admin.CreateCategoryAsync($"Prop B {marker}", root);
        Guid[] categories = [root, a, a1, b];
        var subtree = new Dictionary<Guid, Guid[]> { [root] = categories, [a] = [a, a1], [a1] = [a1], [b] = [b] };

        for (var i = 0; i < 36; i++)
        {
            var name = $"{Pick(random, Words)} {(random.Next(2) == 0 ? Pick(random, Words).ToUpperInvariant() : Pick(random, Words))} {i:D2}";
            var body = CatalogApi.ProductBody(
                sku: $"P{marker}-{i:D2}",
                name: name,
                price: random.Next(100, 50_000) / 100m,
                categoryId: Pick(random, categories),
                description: random.Next(3) == 0 ? null : $"{Pick(random, Words)} finish",
                isActive: random.Next(6) != 0);
            var id = (await admin.CreateProductAsync(body)).GetProperty("id").GetGuid();
            if (random.Next(3) != 0)
            {
                await admin.SetStockAsync(id, random.Next(1, 30));
            }
        }

        var all = (await Expect.Json(await admin.Client.GetAsync($"/api/v1/products?categoryId={root}&includeInactive=true&pageSize=100")))
            .GetProperty("items").EnumerateArray().Select(p => new Item(
                p.GetProperty("id").GetGuid(), p.GetProperty("sku").GetString()!, p.GetProperty("name").GetString()!,
                p.GetProperty("description").GetString() ?? "", p.GetProperty("price").GetDecimal(), p.GetProperty("categoryId").GetGuid(),
                p.GetProperty("isActive").GetBoolean(), p.GetProperty("stock").GetProperty("available").GetInt32(), p.GetProperty("createdAt").GetDateTime()))
            .ToList();
        Assert.Equal(36, all.Count);

        var roundsWithResults = 0;
        for (var round = 0; round < 60; round++)
        {
            var category = Pick(random, categories);
            var q = random.Next(4) switch { 0 => null, 1 => Pick(random, Words), 2 => Pick(random, Words)[1..4].ToUpperInvariant(), _ => $"{marker}-1" };
            decimal? min = random.Next(3) == 0 ? random.Next(100, 30_000) / 100m : null;
            decimal? max = random.Next(3) == 0 ? (min ?? 0) + random.Next(0, 30_000) / 100m : null;
            bool? inStock = random.Next(3) switch { 0 => true, 1 => false, _ => null };
            var sort = random.Next(7) == 0 ? null : Pick(random, Sorts);
            var pageSize = random.Next(1, 15);
            var page = random.Next(1, 4);

            var query = $"categoryId={category}&pageSize={pageSize}&page={page}"
                + (q is null ? "" : $"&q={Uri.EscapeDataString(q)}")
                + (min is null ? "" : $"&minPrice={min}")
                + (max is null ? "" : $"&maxPrice={max}")
                + (inStock is null ? "" : $"&inStock={inStock.Value.ToString().ToLowerInvariant()}")
                + (sort is null ? "" : $"&sort={sort}");

            var matching = all.Where(p => p.IsActive
                    && subtree[category].Contains(p.CategoryId)
                    && (q is null || $"{p.Sku} {p.Name} {p.Description}".ToLowerInvariant().Contains(q.ToLowerInvariant(), StringComparison.Ordinal))
                    && (min is null || p.Price >= min)
                    && (max is null || p.Price <= max)
                    && (inStock is null || (p.Available > 0) == inStock))
                .ToList();
            roundsWithResults += matching.Count > 0 ? 1 : 0;
            var expected = Order(matching, sort ?? "-createdAt").Skip((page - 1) * pageSize).Take(pageSize).Select(p => p.Id).ToList();

            var response = await shop.Client().GetAsync($"/api/v1/products?{query}");
            var actual = await Expect.Json(response, HttpStatusCode.OK);
            var ids = actual.GetProperty("items").EnumerateArray().Select(p => p.GetProperty("id").GetGuid()).ToList();
            Assert.True(expected.SequenceEqual(ids) && actual.GetProperty("totalCount").GetInt32() == matching.Count,
                $"seed {seed}, round {round}: ?{query}\nexpected total {matching.Count}: {string.Join(", ", expected)}\nactual total {actual.GetProperty("totalCount")}: {string.Join(", ", ids)}");
        }

        // Guard against a vacuous pass: most random queries must have found something.
        Assert.True(roundsWithResults >= 20, $"seed {seed}: only {roundsWithResults} of 60 queries matched any product");
    }

    private static IEnumerable<Item> Order(List<Item> items, string sort)
    {
        // Names sort by their lower-case form in byte order; ties break on the id (uuid byte order = its text order).
        static string Key(Item p) => p.Name.ToLowerInvariant();
        static string Id(Item p) => p.Id.ToString();
        return sort switch
        {
            "name" => items.OrderBy(Key, StringComparer.Ordinal).ThenBy(Id, StringComparer.Ordinal),
            "-name" => items.OrderByDescending(Key, StringComparer.Ordinal).ThenByDescending(Id, StringComparer.Ordinal),
            "price" => items.OrderBy(p => p.Price).ThenBy(Id, StringComparer.Ordinal),
            "-price" => items.OrderByDescending(p => p.Price).ThenByDescending(Id, StringComparer.Ordinal),
            "createdAt" => items.OrderBy(p => p.CreatedAt).ThenBy(Id, StringComparer.Ordinal),
            _ => items.OrderByDescending(p => p.CreatedAt).ThenByDescending(Id, StringComparer.Ordinal),
        };
    }

    private static T Pick<T>(Random random, T[] items) => items[random.Next(items.Length)];
}

[Collection(SqliteCollection.Name)]
public sealed class ProductQueryPropertyTestsOnSqlite(SqliteShop shop) : ProductQueryPropertyTests(shop);

[Collection(PostgresCollection.Name), Trait("Category", "Postgres")]
public sealed class ProductQueryPropertyTestsOnPostgres(PostgresShop shop) : ProductQueryPropertyTests(shop);
